import XCTest
@testable import NNONNX

/// ONNXExpression: spellings of one activation compare equal whatever the order of their
/// factors and terms; a different constant anywhere is a different function.
final class ONNXExpressionTests: XCTestCase {
    let x = ONNXExpression.x

    func testSpellingsOfGELUAndSiLUAreTheirLayers() throws {
        // x · 0.5 · (erf(x · 0.70710677) + 1), the factors in another order than nn.GELU's.
        let erf = try XCTUnwrap(x.scaled(by: Double(Float(0.70710677)))?.applying(.erf)?.adding(.number(1)))
        XCTAssertEqual(x.scaled(by: 0.5)?.multiplied(by: erf)?.layer, .gelu(tanh: false))
        // x · x · x written as Pow then scaled, inside tanh.
        let cube = try XCTUnwrap(x.multiplied(by: x)?.multiplied(by: x))
        let inner = try XCTUnwrap(cube.scaled(by: 0.044715)?.adding(x)?.scaled(by: Double(Float((2 / Double.pi).squareRoot()))))
        XCTAssertEqual(inner.applying(.tanh)?.adding(.number(1))?.multiplied(by: x)?.scaled(by: 0.5)?.layer, .gelu(tanh: true))
        XCTAssertEqual(x.applying(.sigmoid)?.multiplied(by: x)?.layer, .silu)
        XCTAssertEqual(x.adding(.number(3))?.applying(.clip(lower: 0, upper: 6))?.scaled(by: 1 / 6)?.multiplied(by: x)?.layer, .hardSwish)
    }

    func testNearMissesAreNoLayer() {
        XCTAssertNil(x.scaled(by: 0.5)?.applying(.erf)?.adding(.number(1))?.multiplied(by: x)?.scaled(by: 0.5)?.layer)
        XCTAssertNil(x.scaled(by: 2)?.applying(.sigmoid)?.multiplied(by: x)?.layer)
        XCTAssertNil(x.applying(.sigmoid)?.multiplied(by: x)?.adding(.number(0.001))?.layer)
        XCTAssertNil(x.applying(.erf)?.layer)
    }

    func testExpressionsStayBounded() {
        var e: ONNXExpression? = x
        for _ in 0..<10 { e = e?.applying(.tanh) }
        XCTAssertNil(e)
        var sum: ONNXExpression? = x
        for _ in 0..<10 { sum = sum?.adding(.number(1))?.multiplied(by: sum ?? x) }
        XCTAssertNil(sum)
    }

    /// The steps ConvNeXt's channels-last GELU is followed along (ONNXImporter+LayerNorm's
    /// GELUPart) end in the layer the channels-first matcher knows, the 0.5 before or after x.
    func testTheChannelsLastGELUStepsEndInTheGELULayer() throws {
        let steps = GELUPart.steps
        XCTAssertEqual(steps.map(\.count), [1, 1, 1, 2, 1])
        XCTAssertEqual(steps.last?.first?.layer, .gelu(tanh: false))
        let shifted = try XCTUnwrap(x.scaled(by: 1 / Double(Float(2).squareRoot()))?.applying(.erf)?.adding(.number(1)))
        XCTAssertTrue(steps[2][0].matches(shifted))
        for first in steps[3] {
            let rest = try XCTUnwrap(first.matches(steps[3][0]) ? first.scaled(by: 0.5) : first.multiplied(by: x))
            XCTAssertEqual(rest.layer, .gelu(tanh: false))
        }
    }
}
