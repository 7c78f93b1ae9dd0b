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

    /// A layer whose name holds glob characters is selected alone by `layer(_:)` (sensitivity
    /// prunes one layer at a time this way): "a*" is not "ab".
    func testExactNameSelectsOnlyThatLayer() throws {
        var g = GraphBuilder()
        let first = g.add("a*", .conv2d(Conv2dAttributes()), g.input)
        g.add("ab", .conv2d(Conv2dAttributes()), first)
        var stateDict = StateDict()
        stateDict.setTensor("a*.weight", Tensor(shape: [2, 3, 1, 1], repeating: 1))
        stateDict.setTensor("ab.weight", Tensor(shape: [2, 2, 1, 1], repeating: 1))
        let model = Model(architecture: "test", graph: g.graph, stateDict: stateDict)
        XCTAssertEqual(try LayerSelection(include: ["a*"]).nodes(in: model, structured: false), [1, 2])
        XCTAssertEqual(try LayerSelection.layer("a*").nodes(in: model, structured: false), [1])
        XCTAssertThrowsError(try LayerSelection.layer("a").nodes(in: model, structured: false)) { error in
            XCTAssertEqual(error as? PruneError, .unknownLayer("'a' is no conv or linear layer"))
        }
    }
}
