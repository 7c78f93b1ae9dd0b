// Outputs of runs that fail: whatever input makes a command fail (a corrupt image, a label
// the model cannot predict, a broken checkpoint or results file, a wrong input size), the
// failure comes before any output file or folder exists; and outputs that cannot be
// written (a device, a FIFO, a link to a device, a name too long for the temporary) are
// refused without leaving anything behind.

import Foundation
import TestSupport

extension BadInputCase {
    private static let student = CaseFolder.student
    private static let preprocessing = ["--resize", "36", "--crop", "32"]

    /// Each run fails on an input; the folder must hold nothing new (no output, no folder).
    static let outputsOfFailingRuns: [BadInputCase] = [
        BadInputCase("quantize --eval on a corrupt image writes no blob", mentions: ["1_0.jpg"]) { folder in
            ["quantize", student, "-o", "out.pkl", "--eval", try corruptFolder(folder)] + preprocessing
        },
        BadInputCase("quantize --eval with a label beyond the classes writes no blob", mentions: ["12_0.jpg", "label 12"]) { folder in
            ["quantize", student, "-o", "out.pkl", "--also-float", "out.pt", "--eval", try labelledTwelve(folder)] + preprocessing
        },
        BadInputCase("quantize whose --also-float is under a file writes no blob", mentions: ["file/out.pt", "is a file, not a folder"]) { folder in
            try folder.write("file", [0]); return ["quantize", student, "-o", "out.pkl", "--also-float", "file/out.pt"]
        },
        BadInputCase("sweep on a corrupt image makes no results file and no folder", mentions: ["1_0.jpg"]) { folder in
            ["sweep", student, "--data", try corruptFolder(folder), "--ratios", "0.5", "--out", "runs"] + preprocessing
        },
        BadInputCase("sweep failing at its first point removes the results file and its folders", mentions: ["12_0.jpg", "label 12"]) { folder in
            ["sweep", student, "--data", try labelledTwelve(folder), "--ratios", "0.5", "--methods", "l1", "--out", "new/nested/runs"] + preprocessing
        },
        BadInputCase("sensitivity on a corrupt image makes no results file", mentions: ["1_0.jpg"]) { folder in
            ["sensitivity", student, "--data", try corruptFolder(folder), "--ratios", "0.5", "--out", "runs"] + preprocessing
        },
        BadInputCase("bench --out with an input the model cannot take makes no results file", mentions: ["conv1", "input channels"]) { _ in
            ["bench", student, "--input", "1x32x32", "--batch", "1", "--iterations", "1", "--methods", "l1", "--out", "runs/deep"]
        },
        BadInputCase("prune -o on a checkpoint that is not one writes nothing", mentions: ["broken.pt"]) { folder in
            ["prune", try folder.write("broken.pt", Array("not a checkpoint".utf8)), "--amount", "0.5", "-o", "out.pt"]
        },
        BadInputCase("predict -o on a corrupt image writes no CSV", mentions: ["1_0.jpg"]) { folder in
            ["predict", student, "--data", try corruptFolder(folder), "-o", "new/out.csv"] + preprocessing
        },
        BadInputCase("report on a malformed results line makes no -o folder", mentions: ["results.jsonl:2"]) { folder in
            let line = Array(#"{"kind":"prune","model":"m","method":"l1","ratio":0.5,"accuracy":0.9}"#.utf8) + [10]
            return ["report", try folder.write("results.jsonl", line + Array("{\"kind\":".utf8) + [10]), "-o", "plots"]
        },
        BadInputCase("report on an empty results file makes no -o folder", mentions: ["empty.jsonl", "no result records"]) { folder in
            ["report", try folder.write("empty.jsonl", []), "-o", "plots"]
        },
    ]

    /// Outputs that cannot be written: refused before anything is written.
    static let failingWrites: [BadInputCase] = [
        BadInputCase("a blob onto /dev/full", mentions: ["/dev/full", "character device"]) { _ in
            ["quantize", student, "-o", "/dev/full"]
        },
        BadInputCase("a pruned model onto a FIFO", mentions: ["fifo.pt", "FIFO"]) { folder in
            mkfifo(folder.url.appendingPathComponent("fifo.pt").path, 0o600)
            return ["prune", student, "--amount", "0.5", "-o", "fifo.pt"]
        },
        BadInputCase("predictions onto a link to /dev/null", mentions: ["link.csv", "character device"]) { folder in
            try FileManager.default.createSymbolicLink(atPath: folder.url.appendingPathComponent("link.csv").path, withDestinationPath: "/dev/null")
            return ["predict", student, "--data", try folder.imageFolder(), "-o", "link.csv"] + preprocessing
        },
        BadInputCase("a report into /dev/null", mentions: ["/dev/null", "is a file, not a folder"]) { folder in
            ["report", try reportResults(folder), "-o", "/dev/null"]
        },
        BadInputCase("a report whose report.md is a folder", mentions: ["report.md", "is a directory"]) { folder in
            try FileManager.default.createDirectory(at: folder.url.appendingPathComponent("plots/report.md"), withIntermediateDirectories: true)
            return ["report", try reportResults(folder), "-o", "plots"]
        },
        BadInputCase("a pruned model whose name leaves no room for the temporary's", mentions: ["file name too long"]) { _ in
            ["prune", student, "--amount", "0.5", "-o", "new/" + String(repeating: "n", count: 252)]
        },
        BadInputCase("a sweep into --out ''", mentions: ["--out", "must name a folder"]) { folder in
            ["sweep", student, "--data", try folder.imageFolder(), "--out", ""] + preprocessing
        },
        BadInputCase("a report into -o ' '", mentions: ["--output", "must name a folder"]) { folder in
            ["report", try reportResults(folder), "-o", " "]
        },
    ]

    /// An image folder holding a good image and a truncated JPEG `1_0.jpg`.
    static func corruptFolder(_ folder: CaseFolder) throws -> String {
        try folder.imageFolder(extra: ["1_0.jpg": try Fixtures.bytes("images/bad_truncated.jpg")])
    }

    /// An image folder holding a good image and a good image labelled 12 (the student has 10 classes).
    private static func labelledTwelve(_ folder: CaseFolder) throws -> String {
        try folder.imageFolder(extra: ["12_0.jpg": [UInt8](try Data(contentsOf: URL(fileURLWithPath: CaseFolder.goodImage)))])
    }

    /// A results file of one good record.
    static func reportResults(_ folder: CaseFolder) throws -> String {
        try folder.write("results.jsonl", Array(#"{"kind":"prune","model":"m","method":"l1","ratio":0.5,"accuracy":0.9}"#.utf8) + [10])
    }
}
