// AugmentationFixtures: the manifest of Tests/Fixtures/augmentation (written by
// scripts/fixtures/augmentation.py with torchvision and PIL), and ReplayedDraws, which hands
// the augmentations the very draws torch made, checking each request against torch's.

import XCTest
import TestSupport
@testable import NNVision

struct AugmentationManifest: Decodable {
    /// One draw torch made: `uniform_(low, high)` or `randint(low, high)`, and its value.
    struct Draw: Decodable {
        let kind: String
        let low: Double
        let high: Double
        let value: Double

        init(from decoder: Decoder) throws {
            var fields = try decoder.unkeyedContainer()
            kind = try fields.decode(String.self)
            low = try fields.decode(Double.self)
            high = try fields.decode(Double.self)
            value = try fields.decode(Double.self)
        }
    }
    struct Box: Decodable {
        let width: Int
        let height: Int
        let scale: [Double]
        let ratio: [Double]
        let draws: [Draw]
        /// (i, j, h, w) as get_params returned it.
        let box: [Int]
    }
    struct Crop: Decodable {
        let image: String
        let box: [Int]
        let size: Int
        let pixels: String
    }
    struct Flip: Decodable {
        let pixels: String
        let flipped: String
    }
    struct Train: Decodable {
        let image: String
        let box: [Int]
        let size: Int
        let mean: [Double]
        let std: [Double]
        let tensor: String
    }
    /// `Resize(resize)` + `CenterCrop(crop)` of the `box` of `image`.
    struct Pipeline: Decodable {
        let image: String
        let box: [Int]
        let resize: Int
        let crop: Int
        let pixels: String
    }
    let boxes: [Box]
    let crops: [Crop]
    let flips: [Flip]
    /// `Image.resize((width, height), BILINEAR)` of `file` (an images fixture), in augmentation/.
    let resizes: [ImageManifest.Resize]
    let pipelines: [Pipeline]
    let train: Train

    static func load() throws -> AugmentationManifest { try Fixtures.json("augmentation/manifest.json") }
}

extension RandomResizedCrop.Box {
    /// A box from get_params' (i, j, h, w).
    init(_ ijhw: [Int]) { self.init(top: ijhw[0], left: ijhw[1], height: ijhw[2], width: ijhw[3]) }
}

/// torch's recorded draws, handed out in order; a request torch did not make (another kind,
/// other bounds, or past the end) fails the test. Float bounds may differ from torch's by one
/// ulp: torch takes the log-ratio bounds with its vectorised float32 log, Shears with the
/// correctly rounded one (log(3/4): torch -0.28768206, exact -0.28768207...).
struct ReplayedDraws: RandomDraws {
    let draws: [AugmentationManifest.Draw]
    let context: String
    var next = 0

    init(_ draws: [AugmentationManifest.Draw], context: String) {
        self.draws = draws
        self.context = context
    }

    private mutating func take(_ kind: String) -> AugmentationManifest.Draw? {
        guard next < draws.count else {
            XCTFail("\(context): draw \(next) (\(kind)) past torch's \(draws.count)")
            return nil
        }
        defer { next += 1 }
        XCTAssertEqual(draws[next].kind, kind, "\(context): draw \(next)")
        return draws[next]
    }

    mutating func uniform(_ low: Float, _ high: Float) -> Float {
        guard let draw = take("uniform") else { return low }
        for (mine, torch) in [(low, Float(draw.low)), (high, Float(draw.high))] {
            XCTAssertTrue(mine == torch || mine == torch.nextUp || mine == torch.nextDown,
                          "\(context): draw \(next - 1) bound \(mine) vs torch's \(torch)")
        }
        return Float(draw.value)
    }

    mutating func integer(below bound: Int) -> Int {
        guard let draw = take("randint") else { return 0 }
        XCTAssertEqual([0, bound], [Int(draw.low), Int(draw.high)], "\(context): draw \(next - 1)")
        return Int(draw.value)
    }
}
