// Tests for LayerSelection: globs and the default layer sets.

import NN
@testable import Prune
import TestSupport
import XCTest

final class LayerSelectionTests: XCTestCase {
    func testGlobs() {
        XCTAssertTrue(LayerSelection.matches("layer1.0.conv1", "layer*.0.*"))
        XCTAssertTrue(LayerSelection.matches("conv1", "conv1"))
        XCTAssertTrue(LayerSelection.matches("layer2.1.conv2", "*conv?"))
        XCTAssertFalse(LayerSelection.matches("layer1.1.conv1", "layer*.0.*"))
        XCTAssertFalse(LayerSelection.matches("fc", "f"))
        XCTAssertTrue(LayerSelection.matches("fc", "*"))
    }

    func testDefaultsIncludeAndExclude() throws {
        let model = try ArchitectureCatalog.build(SafetensorsReader.read(path: Fixtures.path("prune/resnet.safetensors")))
        let names = { (s: LayerSelection, structured: Bool) in try s.nodes(in: model, structured: structured).map { model.graph.nodes[$0].name } }
        let all = try names(LayerSelection(), false)
        XCTAssertEqual(all.first, "conv1")
        XCTAssertEqual(all.last, "fc")
        XCTAssertEqual(try names(LayerSelection(), true), all.dropLast())
        XCTAssertEqual(try names(LayerSelection(include: ["layer*.0.*"], exclude: ["*downsample*"]), false),
                       ["layer1.0.conv1", "layer1.0.conv2", "layer2.0.conv1", "layer2.0.conv2",
                        "layer3.0.conv1", "layer3.0.conv2", "layer4.0.conv1", "layer4.0.conv2"])
        XCTAssertEqual(try names(LayerSelection(exclude: ["conv1", "fc"]), false).count, all.count - 2)
        XCTAssertThrowsError(try names(LayerSelection(include: ["fc"]), true)) { error in
            XCTAssertEqual(error as? PruneError, .unknownLayer("'fc' matches no conv layer"))
        }
    }
}
