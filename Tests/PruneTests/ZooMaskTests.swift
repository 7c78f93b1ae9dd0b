import XCTest
import TestSupport
import NN
@testable import Prune

/// Shears' unstructured masks on every architecture of scripts/fixtures/_zoo.py (loaded from
/// their torch.export `.pt2`, the form all of them load in) against torch.nn.utils.prune's:
/// l1_unstructured 0.5 per layer and global_unstructured L1 0.6, over every Conv2d and Linear.
final class ZooMaskTests: XCTestCase {
    struct Case: Decodable { let mask_layers: [String] }

    func testMasksEqualTorchPrunes() throws {
        let manifest: [String: Case] = try Fixtures.json("architectures/manifest.json")
        XCTAssertGreaterThanOrEqual(manifest.count, 21)
        for (name, c) in manifest {
            let model = try TorchExportImporter.load(path: Fixtures.path("architectures/\(name).pt2"))
            for (method, amount, file) in [(PruningMethod.l1, 0.5, "l1"), (.globalL1, 0.6, "global")] {
                let (_, record) = try Pruner.prune(model, method: method, amount: .fraction(amount))
                XCTAssertEqual(Set(record.layers.map(\.name)), Set(c.mask_layers.map { "\($0).weight" }), "\(name) \(file)")
                let ours = try c.mask_layers.flatMap { layer -> [UInt8] in
                    try XCTUnwrap(record.masks["\(layer).weight"], "\(name): no mask for \(layer)").scalars.map { UInt8($0) }
                }
                XCTAssertEqual(ours, try Fixtures.bytes("architectures/\(name).\(file).u8"), "\(name) \(file)")
            }
        }
    }
}
