// AtomicFile: the one way Shears writes a whole file. Bytes go to a temporary file beside
// the target (`.<name>.<pid>.tmp`, registered with `TemporaryFiles` so SIGINT, SIGTERM and
// SIGHUP remove it), are forced to disk, and the temporary is renamed over the target only
// when complete: an interrupted or failed write never leaves a half-written output, and a
// failed one leaves no temporary and none of the folders it made. Stale temporaries of dead
// processes for the same target are removed first. A target that exists must be a regular
// file (a symlink to one is replaced, as `rename` does): a folder, device, FIFO or socket is
// refused before anything is written.

import Foundation

/// Atomic whole-file writes (temporary file in the same directory, then `rename(2)`).
public enum AtomicFile {
    /// Writes `bytes` to `path` atomically, creating parent directories as needed.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try bytes.withUnsafeBytes { try write($0, to: path) }
    }

    /// Writes `text` (UTF-8) to `path` atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }

    /// Writes `data` to `path` atomically.
    public static func write(_ data: Data, to path: String) throws {
        try data.withUnsafeBytes { try write($0, to: path) }
    }

    /// Throws unless `path` can name an output file: not empty or ending in `/`, not an
    /// existing folder, device, FIFO or socket (symlinks followed), and no ancestor is a file.
    /// Commands call it before their work, so a bad output path fails at once.
    public static func requireWritable(_ path: String) throws {
        guard !path.isEmpty, !path.hasSuffix("/") else {
            throw NNError.invalidArgument(name: "output path '\(path)'", reason: "name a file, not \(path.isEmpty ? "nothing" : "a folder")")
        }
        var status = stat()
        if stat(path, &status) == 0, status.st_mode & S_IFMT != S_IFREG {
            let kind = status.st_mode & S_IFMT
            throw NNError.io(path: path, reason: "cannot write: \(kind == S_IFDIR ? String(cString: strerror(EISDIR)) : "\(InputFile.describe(kind)), not a regular file")")
        }
        _ = try OutputFolder.missing(for: path)
    }

    /// Writes `bytes` to `path` atomically.
    private static func write(_ bytes: UnsafeRawBufferPointer, to path: String) throws {
        try requireWritable(path)
        let madeFolders = try OutputFolder.create(for: path)
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path, name = url.lastPathComponent
        TemporaryFiles.removeStale(in: folder, stems: [name], extensions: ["tmp"])
        let temporary = TemporaryFiles.register("\(folder)/.\(name).\(getpid()).tmp")
        do {
            try create(temporary.path, holding: bytes, for: path)
            guard rename(temporary.path, url.path) == 0 else {
                throw NNError.io(path: path, reason: "cannot rename into place: \(String(cString: strerror(errno)))")
            }
            temporary.release()
        } catch {
            temporary.remove()
            OutputFolder.removeEmpty(madeFolders)
            throw error
        }
    }

    /// Creates `temporary` (a new file: a leftover of a dead process with this pid is removed
    /// first, a symlink is never followed) holding `bytes`, forced to disk. Errors (ENOSPC,
    /// EFBIG past `ulimit -f`, EIO) name `target`, the file the user asked for.
    private static func create(_ temporary: String, holding bytes: UnsafeRawBufferPointer, for target: String) throws {
        func failure(_ code: Int32) -> NNError { .io(path: target, reason: "cannot write: \(String(cString: strerror(code)))") }
        unlink(temporary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { throw failure(errno) }
        var done = 0
        while done < bytes.count, let base = bytes.baseAddress {
            let count = Glibc.write(descriptor, base + done, bytes.count - done)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                let code = count < 0 ? errno : ENOSPC
                close(descriptor)
                throw failure(code)
            }
            done += count
        }
        guard fsync(descriptor) == 0 else {
            let code = errno
            close(descriptor)
            throw failure(code)
        }
        guard close(descriptor) == 0 else { throw failure(errno) }
    }
}
