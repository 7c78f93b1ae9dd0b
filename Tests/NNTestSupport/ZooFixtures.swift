// ZooFixtures: the first seven architectures of scripts/fixtures/_zoo.py
// (Tests/Fixtures/architectures), their files by form, and their models from both module
// trees (whole-module pickle; print(model) text with the state dict), shared by the engine's
// and the ONNX exporter's tests.

import XCTest
import TestSupport
import NNCore
import NNTorchIO

public enum ZooFixtures {
    public static let names = ["ta-student", "dw-relu6", "leaky-bias", "mobilenet-v2", "squeezenet", "narrow-resnet", "shufflenet"]

    /// `Tests/Fixtures/architectures/<name>.<form>`.
    public static func path(_ name: String, _ form: String) -> String { Fixtures.path("architectures/\(name).\(form)") }

    /// The model of a whole-module pickle and of its print(model) text with the state dict.
    public static func treeModels(_ name: String) throws -> [(form: String, model: Model)] {
        let contents = try Checkpoint.contents(path: path(name, "module.pt"))
        let tree = try XCTUnwrap(contents.moduleTree, "\(name).module.pt has no module tree")
        let pickled = try ModuleTreeImporter.model(tree, stateDict: contents.stateDict, source: path(name, "module.pt")).model
        let text = try ModuleTreeText.load(path: path(name, "txt"))
        let printed = try ModuleTreeImporter.model(text, stateDict: try Checkpoint.contents(path: path(name, "pt")).stateDict, source: path(name, "txt")).model
        return [("module.pt", pickled), ("txt", printed)]
    }
}
