// Bad input for the NNTorchIO readers: print(model) texts nested or long enough to overflow a
// recursive parser or make a rescanning one quadratic, pickles whose memo-shared objects
// expand exponentially, checkpoints whose views decode to gigabytes, zips with duplicate or
// odd entry names, and paths that are not regular files.

import Foundation
import TestSupport
@testable import NNTorchIO

extension BadInputCase {
    private typealias H = HostilePickles

    /// Module-tree texts (`--arch-from`): no stack overflow, no quadratic scan, one line naming the text.
    static let hostileModuleTexts: [BadInputCase] = [
        text("modules nested 100,000 deep", "deep.txt", mentions: ["line 201", "modules nested more than 200 deep"],
             "Net(\n" + String(repeating: "(s): Sequential(\n", count: 100_000) + String(repeating: ")\n", count: 100_001)),
        text("a tuple nested 30,000 deep", "tuple.txt", mentions: ["line 2", "values nested more than 200 deep"],
             "Net(\n  (conv): Conv2d(1, 8, kernel_size=" + String(repeating: "(", count: 30_000) + "3" + String(repeating: ")", count: 30_000) + ")\n)"),
        text("modules nested 201 deep, one past the limit", "201.txt", mentions: ["line 201", "nested more than 200"],
             "Net(\n" + String(repeating: "(s): Sequential(\n", count: 199) + "(r): ReLU()\n" + String(repeating: ")\n", count: 200)),
        text("100,000 parentheses opened and never closed", "open.txt", mentions: ["line 2", "values nested more than 200 deep"],
             "Net(\n  (a): Foo(k=" + String(repeating: "(1, ", count: 100_000) + "\n)"),
        text("a kernel_size of 1,000,000 values on one line", "wide.txt", mentions: ["module 'conv' (Conv2d)", "kernel_size must be"],
             "Net(\n  (conv): Conv2d(1, 8, kernel_size=(" + String(repeating: "3, ", count: 1_000_000) + "))\n)"),
        text("a stride of 0", "stride.txt", mentions: ["module 'conv' (Conv2d)", "stride must be"],
             "Net(\n  (conv): Conv2d(1, 8, kernel_size=(3, 3), stride=(0, 0))\n)"),
        text("a padding of 2^62", "pad.txt", mentions: ["module 'pool' (MaxPool2d)", "padding must be"],
             "Net(\n  (pool): MaxPool2d(kernel_size=2, stride=2, padding=4611686018427387904)\n)"),
        // 40 ShuffleNet blocks that each concatenate their input with itself: 2^40 paths to count channels on.
        text("40 ShuffleNet blocks doubling their input", "shuffle.txt", mentions: ["module 'split' (InvertedResidual)", "cannot split"],
             "Net(\n  (conv): Conv2d(1, 4, kernel_size=(1, 1), bias=False)\n"
                + String(repeating: "  (down): InvertedResidual(\n    (branch1): Sequential(\n      (0): Identity()\n    )\n    (branch2): Sequential(\n      (0): Identity()\n    )\n  )\n", count: 40)
                + "  (split): InvertedResidual(\n    (branch2): Sequential(\n      (0): Identity()\n    )\n  )\n)"),
    ]

    /// Pickles whose memo shares one object among many parents: bounded walks, no blow-up.
    static let sharedReferences: [BadInputCase] = [
        zipped("modules sharing children 40 levels deep", "shared.pt", mentions: ["more than 1000000 modules and tensors"], H.sharedModules(depth: 40)),
        blob("a 1 KB blob of lists shared 40 levels deep", "lists.pkl", mentions: ["shared containers expand to more than"], H.sharedLists(depth: 40)),
        zipped("modules sharing children 10 wide and 7 deep", "wide.pt", mentions: ["more than 1000000 modules and tensors"], H.sharedModules(depth: 7, width: 10)),
        zipped("a module that contains itself", "cycle.pt", mentions: ["module 'self' contains itself"], H.selfContainingModule()),
        blob("a blob of dicts shared 40 levels deep", "dicts.pkl", mentions: ["shared containers expand to more than"], H.sharedDicts(depth: 40)),
    ]

    /// Checkpoints whose tensors decode to far more than the file: refused before gathering.
    static let expandingCheckpoints: [BadInputCase] = [
        zipped("48 stride-0 views of one 4-byte storage", "views.pt", mentions: ["its tensors up to", "memory limit"],
               H.views(count: 48, numel: 1, size: [1 << 24], stride: [0])),
        zipped("600 full views of one 4 MB storage", "overlap.pt", mentions: ["its tensors up to", "memory limit"],
               H.views(count: 600, numel: 1 << 20, size: [1 << 20], stride: [1]), storageBytes: 4 << 20),
        zipped("100 overlapping 4096x4096 windows on 8191 floats", "windows.pt", mentions: ["its tensors up to", "memory limit"],
               H.views(count: 100, numel: 8191, size: [4096, 4096], stride: [1, 1]), storageBytes: 4 * 8191),
        checkpoint("48 stride-0 views in a legacy checkpoint", file: "legacy.pt", mentions: ["its tensors up to", "memory limit"]) {
            H.legacyFile(H.views(count: 48, numel: 1, size: [1 << 24], stride: [0], legacy: true), numel: 1)
        },
    ]

    /// Zips whose entry names are doubled, ambiguous or odd.
    static let oddZips: [BadInputCase] = [
        entries("two data.pkl entries", "dup.pt", mentions: ["two entries named 'archive/data.pkl'"],
                [("archive/data.pkl", stateDict), ("archive/version", version), ("archive/data.pkl", H.pickle([H.emptyDict])), ("archive/data/0", storage)]),
        entries("two records for storage 0", "dup-storage.pt", mentions: ["two entries named 'archive/data/0'"],
                [("archive/data.pkl", stateDict), ("archive/version", version), ("archive/data/0", storage), ("archive/data/0", storage)]),
        entries("data.pkl in two folders", "two.pt", mentions: ["2 data.pkl records", "'a/data.pkl', 'b/data.pkl'"],
                [("a/data.pkl", stateDict), ("a/version", version), ("a/data/0", storage), ("b/data.pkl", stateDict), ("b/version", version)]),
        entries("an entry name holding a NUL byte", "nul.pt", mentions: ["NUL byte"],
                [("archive/data.pkl\u{0}.txt", stateDict), ("archive/data.pkl", stateDict), ("archive/version", version), ("archive/data/0", storage)]),
        entries("entries named ../../ (names only, never paths)", "dots.pt", mentions: ["'../../version'"],
                [("../../data.pkl", stateDict), ("../../data/0", storage)]),
    ]

    /// Paths that are not regular files: refused at once, never read or waited on.
    static let nonRegularFiles: [BadInputCase] = [
        BadInputCase("a FIFO given as --arch-from", mentions: ["model.txt", "FIFO"]) { folder in
            let fifo = folder.url.appendingPathComponent("model.txt").path
            guard mkfifo(fifo, 0o600) == 0 else { throw CocoaError(.fileWriteUnknown) }
            return archFrom(fifo)
        },
        BadInputCase("/dev/zero given as --arch-from", mentions: ["/dev/zero", "character device"]) { _ in archFrom("/dev/zero") },
        BadInputCase("a folder given as --arch-from", mentions: ["texts", "folder"]) { folder in
            try FileManager.default.createDirectory(at: folder.url.appendingPathComponent("texts"), withIntermediateDirectories: true)
            return archFrom("texts")
        },
        BadInputCase("/dev/zero given as the checkpoint", mentions: ["/dev/zero", "character device"]) { _ in ["quantize", "/dev/zero", "-o", "out.pkl"] },
    ]

    // MARK: Builders

    private static let stateDict = PickleOps.stateDict(numel: 4, size: [4], stride: [1])
    private static let version = Array("3\n".utf8), storage = [UInt8](repeating: 0, count: 16)

    /// `quantize` of the student with `--arch-from path`.
    private static func archFrom(_ path: String) -> [String] { ["quantize", CaseFolder.student, "--arch-from", path, "-o", "out.pkl"] }

    /// `quantize` of the student with the module-tree text `contents` written as `file`.
    private static func text(_ name: String, _ file: String, mentions: [String], _ contents: String) -> BadInputCase {
        BadInputCase(name, mentions: [file] + mentions) { folder in
            archFrom(try folder.write(file, Array(contents.utf8)))
        }
    }

    /// `quantize` of a zip checkpoint named `file` whose data.pkl runs `ops`.
    private static func zipped(_ name: String, _ file: String, mentions: [String], _ ops: [UInt8], storageBytes: Int = 4) -> BadInputCase {
        checkpoint(name, file: file, mentions: mentions) { HostileFiles.zipCheckpoint(H.pickle(ops), storageBytes: storageBytes) }
    }

    /// `quantize` of a Shears blob (`PROTO 4`, `{"tensors": …}`) whose tensors are made by `ops`.
    private static func blob(_ name: String, _ file: String, mentions: [String], _ ops: [UInt8]) -> BadInputCase {
        checkpoint(name, file: file, mentions: mentions) { [0x80, 4, H.emptyDict] + H.text("tensors") + ops + [H.setItem, 0x2E] }
    }

    /// `quantize` of a zip of `entries` in order, named `file`.
    private static func entries(_ name: String, _ file: String, mentions: [String], _ entries: [(String, [UInt8])]) -> BadInputCase {
        checkpoint(name, file: file, mentions: mentions) {
            var zip = ZipWriter()
            for (entry, data) in entries { zip.add(entry, data) }
            return zip.finish()
        }
    }
}
