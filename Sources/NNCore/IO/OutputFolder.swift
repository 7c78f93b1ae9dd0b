// OutputFolder: makes the folder an output file goes into, or says why it cannot, in words a
// user can act on ("'runs' is a file, not a folder"), not Foundation's "The operation could
// not be completed".

import Foundation

/// The folder of an output path.
public enum OutputFolder {
    /// Creates the folder `path` goes into (with its parents), or throws `NNError.io` naming
    /// `path` and the ancestor that is in the way.
    public static func create(for path: String) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        var ancestor = directory
        var isDirectory: ObjCBool = false
        while !FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isDirectory) { ancestor.deleteLastPathComponent() }
        guard isDirectory.boolValue else {
            throw NNError.io(path: path, reason: "cannot write: '\(ancestor.path)' is a file, not a folder")
        }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw NNError.io(path: path, "cannot create its folder", error)
        }
    }
}
