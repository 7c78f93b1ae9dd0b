// TorchExportImporter: a `torch.export.save` file (`.pt2`) as a Shears Model. The
// ExportedProgram's graph of ATen ops is the model's exact forward, functional code
// included, so no forward is guessed: each op maps to a Shears op (TorchExportTranslation),
// and any other op is refused by name in one line naming the file and the node. Layers are
// named after the module paths the file carries (the parameters' state-dict keys, the nodes'
// `nn_module_stack`), so parameters keep their torch keys. Both the default export (aten.conv2d,
// batch_norm, linear) and the core ATen set after `run_decompositions()` (convolution,
// _native_batch_norm_legit_no_training, addmm) are read. Once built, the graph's shapes at the
// export's input size must equal the shapes torch recorded for every tensor, so a mapping
// that disagrees with torch is an error, never a wrong answer.

import Foundation
import NNCore

/// Builds Models from torch.export archives.
public enum TorchExportImporter {
    /// The model in the `.pt2` file at `path`.
    public static func load(path: String) throws -> Model {
        try read(try InputFile.read(path), path: path).model
    }

    /// The model in the archive `bytes` (the file `path`) and the per-sample input size
    /// `[C, H, W]` it was exported at.
    public static func read(_ bytes: [UInt8], path: String) throws -> (model: Model, input: [Int]) {
        let archive = try TorchExportArchive(bytes: bytes, path: path)
        var translation = try TorchExportTranslation(program: archive.program, tensors: archive.tensors, path: path)
        return try translation.model()
    }

    /// Whether `bytes` is a PT2 archive (a zip whose root folder's `archive_format` says pt2),
    /// whatever the file is called.
    public static func isArchive(_ bytes: [UInt8]) -> Bool { TorchExportArchive.isArchive(bytes) }
}
