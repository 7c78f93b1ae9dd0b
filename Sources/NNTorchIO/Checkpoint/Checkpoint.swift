// Checkpoint: the one entry point from a checkpoint file to a StateDict. Looks at the first
// bytes (docs/FORMATS.md §1.1) and dispatches: torch zip, torch legacy, safetensors; the old tar
// format, the PYTORCH1 preview format and anything else are refused with a one-line error.
// Reading never runs code from the file (see Pickle/GlobalAllowlist.swift). A whole-module
// pickle also yields its ModuleTree.

import NNCore
import Foundation

/// What a checkpoint file holds: its tensors and, for `torch.save(model)`, the module tree.
public struct CheckpointContents {
    public var stateDict: StateDict
    /// The nn.Module hierarchy when the file pickles a whole module; nil for state dicts.
    public var moduleTree: ModuleTree?
}

/// Reads `torch.save` checkpoints (zip or legacy, any wrapper) and safetensors files.
public enum Checkpoint {
    /// The state dict and module tree stored in the file at `path` (a regular file, its size
    /// within the memory budget: a FIFO or a folder is refused, not waited on).
    public static func contents(path: String) throws -> CheckpointContents {
        try contents(try InputFile.read(path), path: path)
    }

    /// The state dict and module tree in `bytes`, the contents of the file `path`.
    public static func contents(_ bytes: [UInt8], path: String) throws -> CheckpointContents {
        guard !bytes.isEmpty else { throw NNError.malformed(path: path, reason: "empty file (0 bytes), not a checkpoint") }
        func startsWith(_ text: String, at offset: Int = 0) -> Bool {
            let prefix = Array(text.utf8)
            return bytes.count >= offset + prefix.count && Array(bytes[offset..<(offset + prefix.count)]) == prefix
        }
        if path.lowercased().hasSuffix(".safetensors") { return CheckpointContents(stateDict: try SafetensorsReader.read(bytes, path: path)) }
        if startsWith("PK\u{3}\u{4}") || startsWith("PK\u{5}\u{6}") { return try unpickled(try TorchZipReader.read(bytes, path: path)) }
        if startsWith("PYTORCH1") {
            throw NNError.unsupported(path: path, reason: "PYTORCH1 preview-release format, which torch itself no longer reads")
        }
        if startsWith("ustar", at: 257) {
            throw NNError.unsupported(path: path, reason: "tar-format checkpoint from torch before 0.1.10; re-save it with a current torch")
        }
        if looksLikeSafetensors(bytes) { return CheckpointContents(stateDict: try SafetensorsReader.read(bytes, path: path)) }
        if bytes.count >= 2, bytes[0] == 0x80, (2...5).contains(bytes[1]) { return try unpickled(try TorchLegacyReader.read(bytes, path: path)) }
        let head = bytes.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " ")
        throw NNError.unsupported(path: path, reason: "not a PyTorch checkpoint (zip or legacy torch.save) or safetensors file; it starts with \(head)")
    }

    private static func unpickled(_ checkpoint: UnpickledCheckpoint) throws -> CheckpointContents {
        CheckpointContents(stateDict: try StateDictNormalizer.stateDict(from: checkpoint), moduleTree: try ModuleTreeReader.tree(of: checkpoint))
    }

    /// A u64 header length that fits the file, followed by a JSON object.
    private static func looksLikeSafetensors(_ bytes: [UInt8]) -> Bool {
        guard bytes.count > 8 else { return false }
        let length = bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << UInt64(8 * $1.offset) }
        return length <= UInt64(bytes.count - 8) && bytes[8] == UInt8(ascii: "{")
    }
}
