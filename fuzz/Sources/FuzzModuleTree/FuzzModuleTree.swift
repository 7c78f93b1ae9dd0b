// FuzzModuleTree: the `print(model)` text parser and the module-tree importer. A text that
// parses is imported with a state dict of zeros in the shapes the tree implies (read off one
// translation with no state dict; skipped above 2^20 elements), or, when that translation
// needs the weights (a ShuffleNet block splits by its input's channel count), with the
// fixture state dict of the same root class. The model's shapes are then inferred for a
// 16x16 input. Corpus: fuzz/corpus/moduletree (the print(model) fixtures).

import Foundation
import FuzzSupport
import NN
@testable import NNTorchIO

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModuleTree(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzInput(data, size) { bytes in
        guard let text = String(validating: bytes, as: UTF8.self) else { return }
        let tree = try ModuleTreeText.parse(text, path: "model.txt")
        guard let stateDict = impliedStateDict(tree) ?? fixtureStateDicts[tree.className] else { return }
        let model = try ModuleTreeImporter.model(tree, stateDict: stateDict, source: "model.txt").model
        _ = try ShapeInference(model: model, input: [model.outputChannels(of: 0) ?? 3, 16, 16])
    }
}

/// Zeros in the parameter shapes `tree` implies, or nil when its translation throws or the
/// shapes hold more than 2^20 elements.
private func impliedStateDict(_ tree: ModuleTree) -> StateDict? {
    var translation = TreeTranslation(source: "model.txt", stateDict: StateDict())
    guard (try? translation.module(tree, path: "", input: translation.builder.input)) != nil else { return nil }
    var stateDict = StateDict(), elements = 0
    for (key, shape) in translation.expected {
        let limit = (1 << 20) - elements
        guard shape.allSatisfy({ (0...limit).contains($0) }) else { return nil }
        let count = shape.reduce(1) { min($0 * $1, limit + 1) }
        guard count <= limit else { return nil }
        elements += count
        stateDict.setTensor(key, Tensor(shape: shape))
    }
    return stateDict
}

/// The fixtures' state dicts (`Tests/Fixtures/architectures/NAME.pt`) by the root class of
/// their `NAME.txt`.
private let fixtureStateDicts: [String: StateDict] = {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../Tests/Fixtures/architectures").standardized
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    var result: [String: StateDict] = [:]
    for name in names where name.hasSuffix(".txt") {
        let base = folder.appendingPathComponent(String(name.dropLast(4))).path
        if let tree = try? ModuleTreeText.load(path: base + ".txt"), let stateDict = try? Checkpoint.contents(path: base + ".pt").stateDict {
            result[tree.className] = stateDict
        }
    }
    return result
}()
