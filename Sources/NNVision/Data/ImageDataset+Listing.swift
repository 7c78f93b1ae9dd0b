// ImageDataset+Listing: reading folders the way the Python reference code does:
// `os.scandir`/`os.walk(followlinks=True)` entries, Python `sorted()` order (by Unicode
// code points, not Swift's `String <`), torchvision's extension test and food-11 labels.

import NNCore
import Foundation

extension ImageDataset {
    /// The names in `path`, split into sub-folders (symbolic links followed) and everything else.
    static func entries(of path: String) throws -> (directories: [String], files: [String]) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw NNError.badDataset(path: path, reason: "no such folder")
        }
        guard isDirectory.boolValue else { throw NNError.badDataset(path: path, reason: "not a folder") }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw NNError.io(path: path, reason: "cannot list folder: \(error.localizedDescription)")
        }
        var directories: [String] = [], files: [String] = []
        for name in names {
            var entryIsDirectory: ObjCBool = false
            let full = (path as NSString).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: full, isDirectory: &entryIsDirectory), entryIsDirectory.boolValue {
                directories.append(name)
            } else {
                files.append(name)
            }
        }
        return (directories, files)
    }

    /// Every file under `top` as `sorted(os.walk(top, followlinks=True))` then `sorted(files)`
    /// visits them: folders ordered by their full path string, files by name within each.
    static func walk(_ top: String) throws -> [String] {
        var folders: [(path: String, files: [String])] = []
        var pending = [top]
        var visited = Set<[UInt64]>()
        while let folder = pending.popLast() {
            // A link back to an ancestor (or to the folder itself) would loop forever, as os.walk
            // would: visit each real folder, known by its device and inode, once.
            var status = stat()
            guard stat(folder, &status) == 0, visited.insert([UInt64(status.st_dev), UInt64(status.st_ino)]).inserted else { continue }
            let entries = try entries(of: folder)
            folders.append((folder, entries.files))
            pending += entries.directories.map { (folder as NSString).appendingPathComponent($0) }
        }
        return folders.sorted { pythonLess($0.path, $1.path) }.flatMap { folder in
            folder.files.sorted(by: pythonLess).map { (folder.path as NSString).appendingPathComponent($0) }
        }
    }

    /// torchvision's `has_file_allowed_extension`: `name.lower().endswith(IMG_EXTENSIONS)`.
    static func isImageFile(_ name: String) -> Bool {
        let lower = name.lowercased()
        return imageExtensions.contains { lower.hasSuffix($0) }
    }

    /// food-11's label: the decimal integer before the first `_` (`int(name.split("_")[0])`),
    /// or nil when there is no `_` or the prefix is not plain ASCII digits.
    static func flatLabel(_ name: String) -> Int? {
        guard let underscore = name.firstIndex(of: "_") else { return nil }
        let prefix = name[..<underscore]
        guard !prefix.isEmpty, prefix.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(prefix)
    }
}

/// Python's `str` ordering: lexicographic by Unicode code point.
func pythonLess(_ a: String, _ b: String) -> Bool {
    var left = a.unicodeScalars.makeIterator(), right = b.unicodeScalars.makeIterator()
    while true {
        switch (left.next(), right.next()) {
        case (nil, nil): return false
        case (nil, _): return true
        case (_, nil): return false
        case let (x?, y?): if x != y { return x.value < y.value }
        }
    }
}
