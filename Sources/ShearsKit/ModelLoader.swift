// ModelLoader: the one way from a path to a runnable Model: reads the file (torch.save
// checkpoint, safetensors, a Shears quantized blob, ONNX, a torch.export `.pt2` archive), then
// builds its graph: an `.onnx` file and a `.pt2` archive (known by name or by content) carry
// their own; a whole-module pickle or a `print(model)` text gives a module tree
// (ModuleTreeImporter); a state dict alone is the catalog architecture its keys name (or the
// one forced), else the module tree ModuleTreeSynthesis rebuilds from its keys (torchvision
// classifiers, the HW7 student). Where a tree's forward pass was guessed, a tree was
// synthesized from keys, or the catalog stood in for a refused tree, `warnings` says so: the
// logits are right only if the assumption is. A `.pt2` archive also records the input size it
// was exported at: commands run there unless told otherwise (`inputSize`), and a size the
// graph cannot run at is refused naming the file and that size. Every refusal names the file.

import Foundation

/// A model read from a file, with what the reports need to know about that file.
public struct LoadedModel {
    public var model: Model
    public let path: String
    /// Size of the file on disk.
    public let fileBytes: Int
    /// What the loader guessed or substituted, one line each naming the assumption (the CLI
    /// prints them on stderr as `warning:`).
    public let warnings: [String]
    /// The per-sample input size `[C, H, W]` the file was exported at (a `.pt2` archive's
    /// example input); nil for files that do not record one.
    public let exportedInput: [Int]?
    /// Short label for tables ("teacher" for teacher.pt).
    public var label: String { ((path as NSString).lastPathComponent as NSString).deletingPathExtension }
}

/// Loads models from files.
public enum ModelLoader {
    /// Reads `path` and builds its model.
    ///
    /// - Parameters:
    ///   - architecture: a catalog name to force (`--arch`).
    ///   - moduleTreeText: a `print(model)` text whose module tree gives the graph (`--arch-from`).
    ///   - inputSize: the side of the square input the model will run at (`--input`, the crop),
    ///     where known: a plain CNN's state dict needs it to place the pool after its last conv.
    public static func load(_ path: String, architecture: String? = nil, moduleTreeText: String? = nil, inputSize: Int? = nil) throws -> LoadedModel {
        var warnings: [String] = []
        func treeModel(_ tree: ModuleTree, _ stateDict: StateDict, source: String) throws -> Model {
            let (model, guessed) = try ModuleTreeImporter.model(tree, stateDict: stateDict, source: source)
            warnings += guessed.map { "\(source): \($0)" }
            return model
        }
        /// A state dict alone: the catalog's architecture (forced or detected), else a synthesized tree.
        func stateDictModel(_ stateDict: StateDict, architecture: String?, otherwise: String? = nil) throws -> Model {
            if architecture == nil, ArchitectureCatalog.detect(stateDict) == nil {
                if let synthesized = try ModuleTreeSynthesis.model(for: stateDict, source: path, inputSize: inputSize) {
                    warnings.append(synthesized.note)
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
            if path.lowercased().hasSuffix(".onnx") {
                model = try ONNXImporter.load(path: path)
            } else if let head = try? FileHandle(forReadingAtPath: path)?.read(upToCount: 3), BlobCodec.looksLikeBlob([UInt8](head)) {
                let blob = try BlobCodec.read(path: path)
                if let text = moduleTreeText {
                    model = try treeModel(try ModuleTreeText.load(path: text), blob.dequantized(), source: text)
                } else {
                    let catalog = blob.architecture.flatMap { ArchitectureCatalog.names.contains($0) || $0 == "resnet" ? $0 : nil }
                    model = try stateDictModel(blob.dequantized(), architecture: architecture ?? catalog,
                                               otherwise: "the blob's architecture '\(blob.architecture ?? "")' is not one its keys determine")
                }
            } else if path.lowercased().hasSuffix(".pt2") || TorchExportImporter.isArchive(path: path) {
                (model, exportedInput) = try TorchExportImporter.read(try InputFile.read(path), path: path)
            } else {
                let contents = try Checkpoint.contents(path: path)
                if let text = moduleTreeText {
                    model = try treeModel(try ModuleTreeText.load(path: text), contents.stateDict, source: text)
                } else if architecture == nil, let tree = contents.moduleTree {
                    do {
                        model = try treeModel(tree, contents.stateDict, source: path)
                    } catch let refusal as NNError where ArchitectureCatalog.detect(contents.stateDict) != nil {
                        model = try ArchitectureCatalog.build(contents.stateDict, inputSize: inputSize)
                        warnings.append("\(refusal); using the catalog's \(model.architecture) for its keys, assuming its forward()")
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

extension LoadedModel {
    /// The per-sample input size to run at: `requested` (the user's `--input` or crop), else
    /// the size the file was exported at, else `fallback`. Where the graph cannot run at it
    /// (a classifier's width fixed by another size), the error names the file and the size,
    /// with `WayOut.inputSize` as the way out: the exported size where the file records one.
    public func inputSize(_ requested: [Int]?, fallback: [Int]) throws -> [Int] {
        let size = requested ?? exportedInput ?? fallback
        do {
            _ = try ShapeInference(model: model, input: size)
        } catch NNError.shapeMismatch(let node, let reason) {
            let text = WayOut.sizeText
            guard let exportedInput, exportedInput != size else {
                throw NNError.unsupported(path: path, reason: "cannot run at \(text(size)) (layer '\(node)': \(reason))", wayOut: .inputSize(exported: nil))
            }
            throw NNError.unsupported(path: path, reason: "its graph was exported at \(text(exportedInput)) and cannot run at \(text(size)) (layer '\(node)': \(reason))", wayOut: .inputSize(exported: exportedInput))
        } catch {
            // Budgets and limits: reported, naming their flag, where the size is first used.
        }
        return size
    }
}
