// ResultsFolder: how a sweep, a sensitivity run or a bench opens FOLDER/results.jsonl, once
// every input is read and decoded: stale temporaries of dead runs in OUT are removed, the file is
// opened (created with its folder, and locked) before the first point is measured, and a run
// that fails before its first record undoes what the opening made (the empty file, the
// folders that did not exist), so a failed run leaves nothing behind.

import Foundation

/// A folder that holds a run's `results.jsonl`.
public enum ResultsFolder {
    /// Runs `body` with `folder/results.jsonl` open for appending (ResultsWriter).
    public static func withWriter<T>(in folder: String, _ body: (ResultsWriter) throws -> T) throws -> T {
        let path = "\(folder)/results.jsonl"
        let madeFolders = try OutputFolder.missing(for: path)
        var status = stat()
        let existed = lstat(path, &status) == 0
        TemporaryFiles.removeStale(in: folder, extensions: ["tmp"])
        let writer: ResultsWriter
        do {
            writer = try ResultsWriter(path: path)
        } catch {
            OutputFolder.removeEmpty(madeFolders)
            throw error
        }
        return try withExtendedLifetime(writer) {
            do {
                return try body(writer)
            } catch {
                // Still holding the lock: no other run can have appended to the file.
                if !existed, stat(path, &status) == 0, status.st_size == 0 { unlink(path) }
                OutputFolder.removeEmpty(madeFolders)
                throw error
            }
        }
    }
}
