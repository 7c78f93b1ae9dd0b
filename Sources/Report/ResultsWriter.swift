// ResultsWriter: appends result records to a results.jsonl, one line per record, written
// and fsynced as each point ends. This is the one writer in Shears that appends instead of
// writing a temporary file and renaming it: a sweep killed at any moment keeps every point
// it finished, and a rerun resumes from `existingKeys` (an incomplete last line is cut off
// first, so it is measured again rather than duplicated).
//
// Ownership: the file is opened with `open(O_RDWR | O_CREAT)` (created if missing, never
// truncated or replaced, so every run that opens the path opens the same file) and must be
// a regular file (a FIFO or a link to /dev/full is refused); the writer then holds an
// exclusive `flock` on it for its lifetime, checked to be on the file the path still names.
// A second run on the same file is refused at once instead of interleaving points.
//
// Write errors (ENOSPC, EIO, EFBIG past `ulimit -f`) are one-line `ReportError`s, and a
// failed append is cut back to the last complete line, so the file never holds half a record.

import Foundation
import NNCore

/// An open, locked results file in append mode.
public final class ResultsWriter {
    public let path: String
    /// Keys of the records already in the file.
    public private(set) var existingKeys: Set<String>
    /// The file, locked for as long as the writer lives (closing releases the lock).
    private let descriptor: Int32
    /// Bytes of complete lines in the file: where the next record goes.
    private var length: Int

    /// Opens (creating it and its folder) `path` for appending, and takes its lock.
    ///
    /// - Throws: `ReportError.locked` when another run holds the file, `.unwritable` when it
    ///   cannot be opened or is not a regular file, and what `ResultsFile` throws for a
    ///   malformed line.
    public init(path: String) throws {
        self.path = path
        try OutputFolder.create(for: path)
        let descriptor = try Self.openLocked(path)
        do {
            let bytes = try InputFile.read(path)
            let complete = bytes.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
            existingKeys = Set(try ResultsFile.records(in: bytes[..<complete], path: path).map(\.key))
            if complete < bytes.count && ftruncate(descriptor, off_t(complete)) != 0 {
                throw ReportError.unwritable(path: path, reason: String(cString: strerror(errno)))
            }
            length = complete
        } catch {
            close(descriptor)
            throw error
        }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Appends `record` as one line and forces it to disk; on failure the file is cut back
    /// to the lines before it.
    public func append(_ record: ResultRecord) throws {
        guard let text = try? record.jsonLine() else {
            throw ReportError.unwritable(path: path, reason: "the record for \(record.key) holds a number JSON cannot hold (NaN or infinity)")
        }
        let line = Array((text + "\n").utf8)
        do {
            try write(line, at: length)
            guard fsync(descriptor) == 0 else { throw ReportError.unwritable(path: path, reason: String(cString: strerror(errno))) }
        } catch {
            _ = ftruncate(descriptor, off_t(length))
            throw error
        }
        length += line.count
        existingKeys.insert(record.key)
    }

    /// Writes all of `bytes` at `offset`, retrying short writes.
    private func write(_ bytes: [UInt8], at offset: Int) throws {
        var done = 0
        while done < bytes.count {
            let count = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress! + done, bytes.count - done, off_t(offset + done)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                throw ReportError.unwritable(path: path, reason: count == 0 ? "the disk took no bytes" : String(cString: strerror(errno)))
            }
            done += count
        }
    }

    /// `path` opened read-write (created 0644 if missing, without blocking on a FIFO), checked
    /// to be a regular file, and locked exclusively; the lock must be on the file the path
    /// still names (else another process replaced it, and it is treated as held).
    private static func openLocked(_ path: String) throws -> Int32 {
        func failure(_ code: Int32) -> ReportError { .unwritable(path: path, reason: String(cString: strerror(code))) }
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0o644)
        guard descriptor >= 0 else { throw failure(errno) }
        do {
            var opened = stat()
            guard fstat(descriptor, &opened) == 0 else { throw failure(errno) }
            let kind = opened.st_mode & S_IFMT
            guard kind == S_IFREG else {
                throw ReportError.unwritable(path: path, reason: "\(InputFile.describe(kind)), not a regular file", wayOut: .anotherOutput)
            }
            guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
                throw errno == EWOULDBLOCK ? ReportError.locked(path: path) : failure(errno)
            }
            var named = stat()
            guard stat(path, &named) == 0, named.st_dev == opened.st_dev, named.st_ino == opened.st_ino else {
                throw ReportError.locked(path: path)
            }
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
            return descriptor
        } catch {
            close(descriptor)
            throw error
        }
    }
}
