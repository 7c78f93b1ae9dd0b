// ModelLoading: the CLI's one way from a path to a runnable Model: reads the file
// (torch.save checkpoint, safetensors, or a Shears quantized blob), then builds its graph:
// an `.onnx` file carries its own; a whole-module pickle or `--arch-from model.txt` gives a
// module tree (ModuleTreeImporter); otherwise the catalog architecture, detected or forced
// with --arch. Where a tree's forward pass was inferred, a note goes to stderr.

import ArgumentParser
import Foundation
import NN
import Quantize

/// `--arch` and `--classes`, shared by the commands that load a model.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Architecture: \(ArchitectureCatalog.names.joined(separator: ", ")). Detected from the checkpoint's keys when omitted.",
        valueName: "name"))
    var arch: String?

    @Option(name: .customLong("arch-from"), help: ArgumentHelp(
        "The text print(model) wrote: the graph comes from this module tree, the weights from the checkpoint.",
        valueName: "model.txt"))
    var archFrom: String?

    func validate() throws {
        if arch != nil && archFrom != nil { throw ValidationError("give --arch or --arch-from, not both") }
        if let arch, !ArchitectureCatalog.names.contains(arch) {
            throw ValidationError("unknown --arch '\(arch)': choose one of \(ArchitectureCatalog.names.joined(separator: ", "))")
        }
    }
}

/// A model read from a file, with what the reports need to know about that file.
struct LoadedModel {
    var model: Model
    let path: String
    /// Size of the file on disk.
    let fileBytes: Int
    /// Short label for tables ("teacher" for teacher.pt).
    var label: String { ((path as NSString).lastPathComponent as NSString).deletingPathExtension }
}

/// Reads `path` and builds its model. A Shears blob is dequantized and names its own architecture.
func loadModel(_ path: String, _ options: ModelOptions) throws -> LoadedModel {
    let model: Model
    if path.lowercased().hasSuffix(".onnx") {
        model = try ONNXImporter.load(path: path)
    } else if let head = FileHandle(forReadingAtPath: path).map({ [UInt8]($0.readData(ofLength: 3)) }), BlobCodec.looksLikeBlob(head) {
        let blob = try BlobCodec.read(path: path)
        if let text = options.archFrom {
            model = try treeModel(try ModuleTreeText.load(path: text), blob.dequantized(), source: text)
        } else if let architecture = options.arch ?? blob.architecture, !ArchitectureCatalog.names.contains(architecture), architecture != "resnet" {
            throw NNError.unsupported(path: path, reason: "the blob's architecture '\(architecture)' is not in the catalog: give --arch-from model.txt (print(model)), or write the dequantized model with `shears quantize … --also-float model.onnx`")
        } else {
            model = try ArchitectureCatalog.build(blob.dequantized(), architecture: options.arch ?? blob.architecture)
        }
    } else {
        let contents = try Checkpoint.contents(path: path)
        if let text = options.archFrom {
            model = try treeModel(try ModuleTreeText.load(path: text), contents.stateDict, source: text)
        } else if options.arch == nil, let tree = contents.moduleTree {
            do {
                model = try treeModel(tree, contents.stateDict, source: path)
            } catch let refusal as NNError where ArchitectureCatalog.detect(contents.stateDict) != nil {
                model = try ArchitectureCatalog.build(contents.stateDict)
                printError("note: \(refusal); using the catalog's \(model.architecture) for its keys")
            }
        } else {
            model = try ArchitectureCatalog.build(contents.stateDict, architecture: options.arch)
        }
    }
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    return LoadedModel(model: model, path: path, fileBytes: size)
}

/// The model of a module tree, its inference notes on stderr.
private func treeModel(_ tree: ModuleTree, _ stateDict: StateDict, source: String) throws -> Model {
    let (model, notes) = try ModuleTreeImporter.model(tree, stateDict: stateDict, source: source)
    for note in notes { printError("note: \(source): \(note)") }
    return model
}
