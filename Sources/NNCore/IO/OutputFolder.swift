// OutputFolder: makes the folder an output file goes into, or says why it cannot, in words a
// user can act on ("'runs' is a file, not a folder"), not Foundation's "The operation could
// not be completed"; and removes the folders a failed run made, so it leaves nothing behind.

import Foundation

/// The folder of an output path.
public enum OutputFolder {
    /// The folders `path` goes into that do not exist yet, outermost first, without creating
    /// anything; throws `NNError.io` naming `path` and the ancestor that is a file.
    public static func missing(for path: String) throws -> [String] {
        var folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        var missing: [String] = []
        var isDirectory: ObjCBool = false
        while !FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) {
            missing.insert(folder.path, at: 0)
            folder.deleteLastPathComponent()
        }
        guard isDirectory.boolValue else {
            throw NNError.io(path: path, reason: "cannot write: '\(folder.path)' is a file, not a folder")
        }
        return missing
    }

    /// Creates the folder `path` goes into (with its parents) and returns the folders it
    /// made, outermost first; throws `NNError.io` naming `path` and the ancestor in the way.
    @discardableResult
    public static func create(for path: String) throws -> [String] {
        let missing = try missing(for: path)
        guard let innermost = missing.last else { return [] }
        do {
            try FileManager.default.createDirectory(atPath: innermost, withIntermediateDirectories: true)
        } catch {
            throw NNError.io(path: path, "cannot create its folder", error)
        }
        return missing
    }

    /// Removes `folders` (as `create` or `missing` listed them) that exist and are empty,
    /// innermost first: what a failed run made and left empty.
    public static func removeEmpty(_ folders: [String]) {
        for folder in folders.reversed() { rmdir(folder) }
    }
}
