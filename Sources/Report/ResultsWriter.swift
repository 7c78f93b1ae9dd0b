// ResultsWriter: appends result records to a results.jsonl, one line per record, flushed
// and fsynced as each point ends. This is the one writer in Shears that appends instead of
// writing a temporary file and renaming it: a sweep killed at any moment keeps every point
// it finished, and a rerun resumes from `existingKeys` (an incomplete last line is cut off
// first, so it is measured again rather than duplicated). The open file holds an exclusive
// `flock`: a second run on the same file is refused at once instead of interleaving points.

import Foundation
import NNCore

/// An open results file in append mode.
public final class ResultsWriter {
    public let path: String
    /// Keys of the records already in the file.
    public private(set) var existingKeys: Set<String>
    private let handle: FileHandle

    /// Opens (creating it and its folder) `path` for appending.
    public init(path: String) throws {
        self.path = path
        try OutputFolder.create(for: path)
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        guard let handle = FileHandle(forUpdatingAtPath: path) else { throw ReportError.unwritable(path: path, reason: "cannot open for appending") }
        guard flock(handle.fileDescriptor, LOCK_EX | LOCK_NB) == 0 else {
            try? handle.close()
            throw ReportError.locked(path: path)
        }
        self.handle = handle
        let data = handle.readDataToEndOfFile()
        if let lastNewline = data.lastIndex(of: UInt8(ascii: "\n")), lastNewline + 1 < data.count {
            handle.truncateFile(atOffset: UInt64(lastNewline + 1))
        } else if !data.isEmpty && !data.contains(UInt8(ascii: "\n")) {
            handle.truncateFile(atOffset: 0)
        }
        existingKeys = Set(try ResultsFile.read(path: path).map(\.key))
        handle.seekToEndOfFile()
    }

    deinit { try? handle.close() }

    /// Appends `record` as one line and forces it to disk.
    public func append(_ record: ResultRecord) throws {
        handle.write(Data((try record.jsonLine() + "\n").utf8))
        handle.synchronizeFile()
        existingKeys.insert(record.key)
    }
}
