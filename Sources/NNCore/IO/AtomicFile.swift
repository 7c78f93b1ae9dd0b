// AtomicFile: the one way Shears writes a file. Bytes go to a temporary file beside the
// target, which is renamed over it only when complete: an interrupted or failed write
// never leaves a half-written output.

import Foundation

/// Atomic whole-file writes (temporary file in the same directory, then `rename(2)`).
public enum AtomicFile {
    /// Writes `bytes` to `path` atomically, creating parent directories as needed.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try write(Data(bytes), to: path)
    }

    /// Writes `text` (UTF-8) to `path` atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    /// Writes `data` to `path` atomically.
    public static func write(_ data: Data, to path: String) throws {
        guard !path.isEmpty, !path.hasSuffix("/") else {
            throw NNError.invalidArgument(name: "output path '\(path)'", reason: "name a file, not \(path.isEmpty ? "nothing" : "a folder")")
        }
        try OutputFolder.create(for: path)
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        do {
            try data.write(to: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw NNError.io(path: path, "cannot write", error)
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw NNError.io(path: path, reason: "cannot rename into place: \(reason)")
        }
    }
}
