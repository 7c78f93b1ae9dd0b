// InputFile: the one way Shears reads a whole input file. The path is opened (symlinks
// followed) without blocking, and must then be a regular file: a FIFO, a socket, a device
// (`/dev/zero`, `/dev/stdin`) or a folder is refused in one line instead of hanging or
// reading forever; its size is checked against the `MemoryBudget` before anything is read.

import Foundation

/// Reading untrusted files whole, or checking that a path is one.
public enum InputFile {
    /// The whole file at `path`.
    ///
    /// - Throws: `NNError.io` (missing, unreadable, not a regular file) or
    ///   `NNError.overBudget` (larger than the memory limit).
    public static func read(_ path: String) throws -> [UInt8] {
        let (descriptor, size) = try openRegular(path)
        defer { close(descriptor) }
        try MemoryBudget.check(size, for: "the file's \(size) bytes", path: path)
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let count = bytes.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress! + done, size - done) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                if count == 0 { break }  // the file shrank while being read: what is there is what was read
                throw NNError.io(path: path, reason: "cannot read: \(String(cString: strerror(errno)))")
            }
            done += count
        }
        return done == size ? bytes : Array(bytes[..<done])
    }

    /// The whole file at `path` as `Data`.
    public static func data(_ path: String) throws -> Data {
        Data(try read(path))
    }

    /// Throws unless `path` names a regular file (after following symlinks) that can be opened
    /// for reading; returns its size in bytes.
    @discardableResult
    public static func requireRegular(_ path: String) throws -> Int {
        let (descriptor, size) = try openRegular(path)
        close(descriptor)
        return size
    }

    /// Whether `path` is a regular file (symlinks followed), without opening it.
    public static func isRegular(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
    }

    /// A descriptor of `path` opened read-only and non-blocking (a FIFO with no writer would
    /// block `open` itself), checked to be a regular file, and its size; blocking mode is restored.
    private static func openRegular(_ path: String) throws -> (descriptor: Int32, size: Int) {
        guard !path.isEmpty else { throw NNError.io(path: "''", reason: "no file named") }
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw NNError.io(path: path, reason: "cannot read: \(String(cString: strerror(errno)))")
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw NNError.io(path: path, reason: "cannot read: \(reason)")
        }
        let kind = status.st_mode & S_IFMT
        guard kind == S_IFREG else {
            close(descriptor)
            throw NNError.io(path: path, reason: "cannot read: \(describe(kind)), not a regular file")
        }
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
        return (descriptor, Int(status.st_size))
    }

    /// What a non-regular file is, in words.
    package static func describe(_ kind: mode_t) -> String {
        switch kind {
        case S_IFDIR: return "a folder"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFSOCK: return "a socket"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        default: return "a special file"
        }
    }
}
