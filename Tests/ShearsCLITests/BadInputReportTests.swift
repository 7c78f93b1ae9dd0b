// BadInputReportTests: hostile results files and results paths are refused in one line;
// hostile but valid model names (in a results.jsonl, or from a checkpoint's file name) are
// reported: the charts show them as written and gnuplot runs nothing; a full disk during a
// sweep is one line and leaves only whole points.

import Foundation
import XCTest
import TestSupport

final class BadInputReportTests: XCTestCase {
    func testBadResultsFilesAreRefused() throws {
        try assertRefused(BadInputCase.hostileResultLines + BadInputCase.unusableResultsFiles)
    }

    /// Model names gnuplot would run, split on or read as markup, each with the case folder's payload.
    static func hostileNames(_ payload: String) -> [String] {
        ["`\(payload)`", "\"; system(\"\(payload)\") #", "'; system('\(payload)'); '", "x\nset output '|\(payload)'\n",
         "<\(payload)", "@GPVAL_TERM {^_} \\", "\u{1B}[2J\r`\(payload)`\u{2028}"]
    }

    /// `shears report` of results whose model names are hostile: exit 0, every chart drawn,
    /// nothing run, and in each script the names appear only inside single quotes.
    func testHostileModelNamesInResultsAreReportedLiterally() throws {
        let folder = CaseFolder(url: try Fixtures.temporaryDirectory(for: self))
        let names = Self.hostileNames(folder.payload)
        var records: [[String: Any]] = []
        for name in names {
            records += [0.0, 0.5].map { ["kind": "prune", "model": name, "method": "l1", "ratio": $0, "accuracy": 0.8 - $0 / 2] }
            records.append(["kind": "quant", "model": name, "method": "min-max", "ratio": 0, "bits": 8, "accuracy": 0.8, "blob_bytes": 4096])
        }
        let text = try records.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) + "\n" }.joined()
        try folder.write("results.jsonl", Array(text.utf8))
        let result = try CLI.run(["report", "results.jsonl", "-o", "plots"], in: folder.url, limits: .badInput)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.marker), "a command ran")
        try assertOnlyQuoted(names, in: folder.url.appendingPathComponent("plots"), charts: ["accuracy-vs-ratio", "quantization"])
    }

    /// A checkpoint whose file name is hostile: swept (its label is the name), then reported
    /// with the charts in the case folder, where a payload that ran would leave its marker.
    func testHostileCheckpointFileNamesAreReportedLiterally() throws {
        for stem in ["`touch PWNED`", "x'; system('touch PWNED'); '", "a\nset output '|touch PWNED'\n"] {
            let folder = CaseFolder(url: try Fixtures.temporaryDirectory(for: self))
            let checkpoint = try folder.copy(CaseFolder.student, to: stem + ".pt")
            let sweep = try CLI.run(["sweep", checkpoint, "--data", try folder.imageFolder(), "--resize", "36", "--crop", "32",
                                     "--methods", "l1", "--ratios", "0,0.5", "--timing-iterations", "0", "--out", "out"],
                                    in: folder.url, limits: .badInput)
            XCTAssertEqual(sweep.status, 0, sweep.stderr)
            let report = try CLI.run(["report", "out/results.jsonl", "-o", "."], in: folder.url, limits: .badInput)
            XCTAssertEqual(report.status, 0, report.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: folder.marker), "a command ran for \(stem.debugDescription)")
            try assertOnlyQuoted([stem], in: folder.url, charts: ["accuracy-vs-ratio"])
        }
    }

    /// A sweep under `ulimit -f` (the CLI ignores SIGXFSZ, so the write fails with EFBIG): one error line naming the results file after the points that fitted, and the
    /// file holds those points whole.
    func testAFullDiskDuringASweepIsOneLineAndKeepsOnlyWholePoints() throws {
        for blocks in [0, 1] {  // dash counts 512-byte blocks: no point fits, or two of the three
            let folder = CaseFolder(url: try Fixtures.temporaryDirectory(for: self))
            let arguments = ["sweep", CaseFolder.student, "--data", try folder.imageFolder(), "--resize", "36", "--crop", "32",
                             "--methods", "l1", "--ratios", "0.25,0.5,0.75", "--timing-iterations", "0", "--out", "out"]
            let result = try CLI.run(arguments, in: folder.url, limits: RunLimits.badInput.files(blocks))
            let stderr = result.stderr
            XCTAssertFalse(result.crashed || result.timedOut, stderr)
            XCTAssertEqual(result.status, 1, stderr)
            let resultsURL = folder.url.appendingPathComponent("out/results.jsonl")
            if blocks == 0 {  // the run failed before its first record: the file and its folder go
                XCTAssertFalse(FileManager.default.fileExists(atPath: folder.url.appendingPathComponent("out").path), stderr)
                XCTAssertEqual(stderr, "Error: out/results.jsonl: cannot write: File too large\n")
                continue
            }
            let results = try Data(contentsOf: resultsURL)
            XCTAssertTrue(results.isEmpty || results.last == UInt8(ascii: "\n"), "half a record left")
            let points = results.split(separator: UInt8(ascii: "\n"))
            XCTAssertEqual(points.count, 2 * blocks, String(decoding: results, as: UTF8.self))
            for point in points { XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(point))) }
            let lines = stderr.split(separator: "\n")
            XCTAssertEqual(lines.count, points.count + 1, "one line per point, then the error: \(stderr)")
            XCTAssertEqual(lines.last, "Error: out/results.jsonl: cannot write: File too large", stderr)
        }
    }

    /// Each chart's script holds every name only inside single quotes (control characters
    /// escaped, `'` doubled), and outside them nothing gnuplot would run.
    private func assertOnlyQuoted(_ names: [String], in folder: URL, charts: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        for chart in charts {
            let script = try String(contentsOf: folder.appendingPathComponent("\(chart).gp"), encoding: .utf8)
            let visible = script.replacingOccurrences(of: "\u{200B}", with: "")  // the writer's zero-width spaces before some quotes
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("\(chart).svg").path), "\(chart) not rendered",
                          file: file, line: line)
            for name in names {
                let written = Self.escaped(name).replacingOccurrences(of: "'", with: "''")
                XCTAssertTrue(visible.contains("title '\(written)"), "\(name.debugDescription) not single-quoted in \(chart).gp:\n\(script)",
                              file: file, line: line)
            }
            let outside = script.replacingOccurrences(of: "'([^'\\n]|'')*'", with: "S", options: .regularExpression)
            for forbidden in ["`", "\"", "system", "PWNED", "@", ";", "|"] {
                XCTAssertFalse(outside.contains(forbidden), "'\(forbidden)' outside single quotes in \(chart).gp:\n\(outside)", file: file, line: line)
            }
        }
    }

    /// `name` with the control characters these names hold escaped, as the CLI and charts write them.
    private static func escaped(_ name: String) -> String {
        name.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
            .replacingOccurrences(of: "\u{1B}", with: "\\u{1B}").replacingOccurrences(of: "\u{2028}", with: "\\u{2028}")
    }
}
