// ImageFixtures: the manifest of Tests/Fixtures/images (written by scripts/fixtures/images.py
// with PIL and torchvision) decoded for the image and dataset tests.

import Foundation
import TestSupport
import NNTorchIO
@testable import NNVision

struct ImageManifest: Decodable {
    struct Transform: Decodable {
        let resize: Int
        let crop: Int
        /// `[3, crop, crop]` float32 from torchvision.
        let tensor: String
    }
    struct Image: Decodable {
        let file: String
        /// PIL's mode: RGB, L or CMYK.
        let mode: String
        let width: Int
        let height: Int
        /// `PIL.Image.open(f).convert("RGB")` as raw bytes, or (large images) their FNV-1a 64 digest.
        let rgb: String?
        let rgbFNV1a64: String?
        let transforms: [Transform]
    }
    struct Resize: Decodable {
        let file: String
        let width: Int
        let height: Int
        let pixels: String
    }
    struct Corrupt: Decodable {
        let file: String
        let width: Int
        let height: Int
        let rgb: String
    }
    struct Bad: Decodable {
        let file: String
        /// What PIL did: "ok" or the exception it raised.
        let pil: String
    }
    struct Datasets: Decodable {
        struct Entry: Decodable {
            let path: String
            let label: Int?
        }
        let classes: [String: [String]]
        let listings: [String: [Entry]]
    }
    let mean: [Double]
    let std: [Double]
    let images: [Image]
    let resizes: [Resize]
    let corrupt: Corrupt
    let bad: [Bad]
    let datasets: Datasets

    static func load() throws -> ImageManifest { try Fixtures.json("images/manifest.json") }

    /// Absolute path of a file of the images fixture folder.
    static func path(_ name: String) -> String { Fixtures.path("images/" + name) }
}

/// FNV-1a, 64 bits, as the fixture script computes it.
func fnv1a64(_ bytes: [UInt8]) -> String {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
    let hex = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
}
