// Bad results files: lines no record can come from (`shears report` names the file and
// line), and results files that are not regular files (a FIFO, a link to a device, a folder)
// for `report` to read or `sweep --out` to append to. Hostile but valid model names are not
// refused: they render literally (BadInputReportTests).

import Foundation

extension BadInputCase {
    /// `shears report` of a results.jsonl whose second line is hostile.
    static let hostileResultLines: [BadInputCase] = [
        line("a number past Double", record(",\"accuracy\":1e999"), mentions: ["invalid JSON"]),
        line("an integer past Int", record(",\"bits\":99999999999999999999999"), mentions: ["invalid JSON"]),
        line("an integer past Int written as a float", record(",\"bits\":1e300"), mentions: ["invalid JSON"]),
        line("a NaN literal", record(",\"accuracy\":NaN"), mentions: ["invalid JSON"]),
        line("arrays nested 200,000 deep", record(",\"x\":" + String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000)),
             mentions: ["invalid JSON"]),
        line("objects nested 100,000 deep, never closed", record(",\"x\":" + String(repeating: "{\"a\":", count: 100_000)), mentions: ["invalid JSON"]),
        line("invalid UTF-8 in the model name",
             Array("{\"kind\":\"prune\",\"model\":\"".utf8) + [0xFF, 0xC0, 0x80, 0xED, 0xA0, 0x80] + Array("\",\"method\":\"l1\",\"ratio\":0}".utf8),
             mentions: ["invalid JSON"]),
        line("a key holding a newline and ANSI codes", Array("{\"kind\":\"prune\",\"x\\n\\u001b[2J\":1}".utf8), mentions: ["missing"]),
    ]

    /// Results files that are not regular files, for `report` to read and `sweep` to append to.
    static let unusableResultsFiles: [BadInputCase] = [
        BadInputCase("report of a FIFO", mentions: ["results.jsonl", "FIFO", "not a regular file"]) { folder in
            guard mkfifo(folder.url.appendingPathComponent("results.jsonl").path, 0o644) == 0 else { throw CocoaError(.fileWriteUnknown) }
            return ["report", "results.jsonl", "-o", "plots"]
        },
        BadInputCase("report of a link to /dev/zero", mentions: ["results.jsonl", "character device"]) { folder in
            try link(folder, "results.jsonl", to: "/dev/zero")
            return ["report", "results.jsonl", "-o", "plots"]
        },
        BadInputCase("report of a folder", mentions: ["results.jsonl", "a folder"]) { folder in
            try FileManager.default.createDirectory(at: folder.url.appendingPathComponent("results.jsonl"), withIntermediateDirectories: true)
            return ["report", "results.jsonl", "-o", "plots"]
        },
        BadInputCase("a sweep into results.jsonl linked to /dev/full", mentions: ["out/results.jsonl", "character device", "--out"]) { folder in
            try link(folder, "out/results.jsonl", to: "/dev/full")
            return try sweep(folder)
        },
        BadInputCase("a sweep into a FIFO results.jsonl", mentions: ["out/results.jsonl", "FIFO", "--out"]) { folder in
            try FileManager.default.createDirectory(at: folder.url.appendingPathComponent("out"), withIntermediateDirectories: true)
            guard mkfifo(folder.url.appendingPathComponent("out/results.jsonl").path, 0o644) == 0 else { throw CocoaError(.fileWriteUnknown) }
            return try sweep(folder)
        },
        BadInputCase("a sweep into a results.jsonl that links to itself", mentions: ["out/results.jsonl", "symbolic links"]) { folder in
            try link(folder, "out/results.jsonl", to: "results.jsonl")
            return try sweep(folder)
        },
    ]

    /// A prune record with `extra` fields appended (JSON text starting with a comma).
    private static func record(_ extra: String) -> [UInt8] {
        Array("{\"kind\":\"prune\",\"model\":\"m\",\"method\":\"l1\",\"ratio\":0.5\(extra)}".utf8)
    }

    /// `shears report` of a good line, `bytes` as line 2, and a good line; the error names the file and line 2.
    private static func line(_ name: String, _ bytes: [UInt8], mentions: [String]) -> BadInputCase {
        BadInputCase(name, mentions: ["results.jsonl:2:", "not a result record"] + mentions) { folder in
            let good = record("") + [UInt8(ascii: "\n")]
            try folder.write("results.jsonl", good + bytes + [UInt8(ascii: "\n")] + good)
            return ["report", "results.jsonl", "-o", "plots"]
        }
    }

    /// A symbolic link `name` in the folder (sub-folders created) to `target`.
    private static func link(_ folder: CaseFolder, _ name: String, to target: String) throws {
        let path = folder.url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: path.path, withDestinationPath: target)
    }

    /// A one-point sweep of the student on one image into `out`.
    private static func sweep(_ folder: CaseFolder) throws -> [String] {
        ["sweep", CaseFolder.student, "--data", try folder.imageFolder(), "--resize", "36", "--crop", "32",
         "--methods", "l1", "--ratios", "0.5", "--timing-iterations", "0", "--out", "out"]
    }
}
