import XCTest
@testable import NNCore
@testable import NNVision

final class RandomDrawsTests: XCTestCase {
    /// SplitMix64's uniform: 24-bit steps in [low, high), torch's recipe.
    func testUniform() {
        var generator = SplitMix64(seed: 5)
        var values: [Float] = []
        for _ in 0..<10_000 {
            let value = generator.uniform(0, 1)
            XCTAssertTrue(value >= 0 && value < 1)
            XCTAssertEqual(value * 0x1p24, (value * 0x1p24).rounded(), "a multiple of 2^-24")
            values.append(value)
        }
        XCTAssertEqual(values.reduce(0, +) / 10_000, 0.5, accuracy: 0.01)
        var bits = SplitMix64(seed: 5), scaled = SplitMix64(seed: 5)
        let x = Double(bits.next() >> 40) * 0x1p-24
        XCTAssertEqual(scaled.uniform(-2, 6), Float(x * 8 - 2))
    }

    /// Lemire's integers: in range, every value reached about equally, bound 1 gives 0 and
    /// draws once, the same seed the same sequence.
    func testIntegerBelow() {
        var generator = SplitMix64(seed: 11), again = SplitMix64(seed: 11)
        var counts = [Int](repeating: 0, count: 7)
        for _ in 0..<70_000 {
            let value = generator.integer(below: 7)
            XCTAssertEqual(value, again.integer(below: 7))
            counts[value] += 1
        }
        for count in counts { XCTAssertEqual(count, 10_000, accuracy: 400) }
        XCTAssertEqual(generator.integer(below: 1), 0)
        XCTAssertEqual(generator.next(), again.next(), "bound 1 draws nothing")
        let large = Int.max
        for _ in 0..<100 { XCTAssertTrue((0..<large).contains(generator.integer(below: large))) }
    }
}
