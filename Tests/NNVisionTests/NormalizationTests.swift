import XCTest
@testable import NNVision

final class NormalizationTests: XCTestCase {
    /// CHW order, and `(Float(v) / 255 - mean) / std` in float32.
    func testWritesPlanesWithTrueDivision() {
        let mean: [Float] = [0.485, 0.456, 0.406], std: [Float] = [0.229, 0.224, 0.225]
        let normalization = Normalization(mean: mean, std: std)
        let image = RGBImage(width: 2, height: 1, pixels: [1, 2, 3, 254, 255, 0])
        var out = [Float](repeating: 0, count: 6)
        out.withUnsafeMutableBufferPointer { normalization.apply(image, into: $0) }
        let planes: [[UInt8]] = [[1, 254], [2, 255], [3, 0]]
        for c in 0..<3 {
            for x in 0..<2 {
                let expected = (Float(planes[c][x]) / 255 - mean[c]) / std[c]
                XCTAssertEqual(out[c * 2 + x].bitPattern, expected.bitPattern)
            }
        }
    }
}
