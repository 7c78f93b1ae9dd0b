// ModelFile: the one way between a path and a Model, both directions, and the one place that
// tells file formats apart (ModelFile+Format). Reading (`read`) takes a torch.save checkpoint,
// safetensors, a Shears quantized blob, ONNX or a torch.export `.pt2` archive, then builds its graph: an `.onnx` file and a `.pt2` archive (known by name or by content) carry
// their own; a whole-module pickle or a `print(model)` text gives a module tree
// (ModuleTreeImporter); a state dict alone is the catalog architecture its keys name (or the
// one forced), else the module tree ModuleTreeSynthesis rebuilds from its keys (torchvision
// classifiers, the HW7 student). Where a tree's forward pass was guessed, a tree was
// synthesized from keys, or the catalog stood in for a refused tree, `warnings` says so: the
// logits are right only if the assumption is. A `.pt2` archive also records the input size it
// was exported at: commands run there unless told otherwise (`inputSize`), and a size the
// graph cannot run at is refused naming the file and that size. Every refusal names the file.

import Foundation

/// Reads and writes model files.
public enum ModelFile {
    /// Reads `path` and builds its model.
    ///
    /// - Parameters:
    ///   - architecture: a catalog name to force (`--arch`).
    ///   - moduleTreeText: a `print(model)` text whose module tree gives the graph (`--arch-from`).
    ///   - inputSize: the side of the square input the model will run at (`--input`, the crop),
    ///     where known: a plain CNN's state dict needs it to place the pool after its last conv.
    public static func read(_ path: String, architecture: String? = nil, moduleTreeText: String? = nil, inputSize: Int? = nil) throws -> LoadedModel {
        var warnings: [LoadWarning] = []
        func treeModel(_ tree: ModuleTree, _ stateDict: StateDict, source: String) throws -> Model {
            let (model, guessed) = try ModuleTreeImporter.model(tree, stateDict: stateDict, source: source)
            warnings += guessed.map { LoadWarning("\(source): \($0)") }
            return model
        }
        /// A state dict alone: the catalog's architecture (forced or detected), else a synthesized tree.
        func stateDictModel(_ stateDict: StateDict, architecture: String?, otherwise: String? = nil) throws -> Model {
            if architecture == nil, ArchitectureCatalog.detect(stateDict) == nil {
                if let synthesized = try ModuleTreeSynthesis.model(for: stateDict, source: path, inputSize: inputSize) {
                    warnings.append(LoadWarning(synthesized.note, wayOut: .wholeModel()))
                    return synthesized.model
                }
                if let otherwise { throw NNError.unsupported(path: path, reason: otherwise, wayOut: .blobGraph) }
            }
            return try ArchitectureCatalog.build(stateDict, architecture: architecture, inputSize: inputSize)
        }
        let model: Model
        var exportedInput: [Int]?
        // A FIFO, device or folder is refused here, before anything opens it to read.
        let size = try InputFile.requireRegular(path)
        if let moduleTreeText { try InputFile.requireRegular(moduleTreeText) }
        do {
            switch try Source(path: path) {
            case .onnx:
                model = try ONNXImporter.load(path: path)
            case .quantizedBlob(let bytes):
                let blob = try BlobCodec.read(bytes, path: path)
                if let text = moduleTreeText {
                    model = try treeModel(try ModuleTreeText.load(path: text), blob.dequantized(), source: text)
                } else {
                    let catalog = blob.architecture.flatMap { ArchitectureCatalog.names.contains($0) || $0 == "resnet" ? $0 : nil }
                    model = try stateDictModel(blob.dequantized(), architecture: architecture ?? catalog,
                                               otherwise: "the blob's architecture '\(blob.architecture ?? "")' is not one its keys determine")
                }
            case .torchExport(let bytes):
                (model, exportedInput) = try TorchExportImporter.read(bytes, path: path)
            case .checkpoint(let bytes):
                let contents = try Checkpoint.contents(bytes, path: path)
                if let text = moduleTreeText {
                    model = try treeModel(try ModuleTreeText.load(path: text), contents.stateDict, source: text)
                } else if architecture == nil, let tree = contents.moduleTree {
                    do {
                        model = try treeModel(tree, contents.stateDict, source: path)
                    } catch let refusal as NNError where ArchitectureCatalog.detect(contents.stateDict) != nil {
                        model = try ArchitectureCatalog.build(contents.stateDict, inputSize: inputSize)
                        warnings.append(LoadWarning("using the catalog's \(model.architecture) for its keys, assuming its forward()", refusal: refusal))
                    }
                } else {
                    model = try stateDictModel(contents.stateDict, architecture: architecture)
                }
            }
        } catch let error as NNError {
            // The catalog's errors name keys, not the file: say which file did not fit.
            switch error {
            case .stateDictMismatch:
                throw NNError.unsupported(path: path, reason: error.description, wayOut: .wholeModel())
            case .unknownArchitecture(let reason, let wayOut): throw NNError.unsupported(path: path, reason: reason, wayOut: wayOut)
            default: throw error
            }
        }
        return LoadedModel(model: model, path: path, fileBytes: size, warnings: warnings, exportedInput: exportedInput)
    }
}
