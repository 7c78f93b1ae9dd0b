import Foundation
import XCTest
import TestSupport
@testable import Report

/// Golden files for every chart's .gp and .dat (SHEARS_UPDATE_GOLDEN=1 rewrites them).
final class ChartTests: XCTestCase {
    func assertGolden(_ text: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let path = Fixtures.path("report/golden/\(name)")
        if ProcessInfo.processInfo.environment["SHEARS_UPDATE_GOLDEN"] == "1" {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let golden = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertEqual(text, golden, "\(name) differs from its golden file", file: file, line: line)
    }

    func testEveryChartKindMatchesItsGoldenFiles() throws {
        let charts = Chart.all(ReportSamples.records)
        XCTAssertEqual(charts.map(\.name), ["accuracy-vs-ratio", "accuracy-vs-parameters", "speedup-vs-ratio", "quantization"])
        for chart in charts {
            try assertGolden(chart.script, "\(chart.name).gp")
            try assertGolden(chart.data, "\(chart.name).dat")
        }
    }

    func testNoDataNoChart() {
        XCTAssertNil(Chart.sensitivity(ReportSamples.records))
        XCTAssertTrue(Chart.all([]).isEmpty)
    }

    func testTablesMatchTheirGoldenFiles() throws {
        try assertGolden(Table.pruning(ReportSamples.records).markdown, "pruning.md")
        try assertGolden(Table.pruning(ReportSamples.records).csv, "pruning.csv")
        try assertGolden(Table.quantization(ReportSamples.records).markdown, "quantization.md")
        try assertGolden(Table.bench(ReportSamples.records).csv, "bench.csv")
    }

    func testRendersPNGAndSVGWhenGnuplotExists() throws {
        guard GnuplotRenderer.gnuplotPath != nil else { throw XCTSkip("gnuplot is not installed") }
        let dir = try Fixtures.temporaryDirectory(for: self).path
        let summary = try ReportBuilder.build(records: ReportSamples.records, outputDirectory: dir)
        XCTAssertNil(summary.hint)
        let png = try XCTUnwrap(FileManager.default.contents(atPath: "\(dir)/accuracy-vs-ratio.png"))
        XCTAssertEqual([UInt8](png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(dir)/quantization.svg"))
        let report = try String(contentsOfFile: "\(dir)/report.md", encoding: .utf8)
        XCTAssertTrue(report.contains("![Validation accuracy after one-shot pruning](accuracy-vs-ratio.png)"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(".") }
        XCTAssertEqual(leftovers, [], "temporary files left behind")
    }

    /// Strings gnuplot would evaluate in double quotes, or that would end a line, or that are
    /// enhanced-text markup.
    static func hostile(_ marker: String) -> [String] {
        ["`touch \(marker)`", "\"; system(\"touch \(marker)\") #", "'; system('touch \(marker)'); '", "x\nset output '|touch \(marker)'",
         "@GPVAL_TERM {^_} a_b ~c & \\", "back\\", "<touch \(marker)", "|touch \(marker)", "\u{1B}[31mred\r\u{2028}"]
    }

    /// `script` with its single-quoted strings replaced by `S`: what gnuplot reads as commands.
    static func outsideSingleQuotes(_ script: String) -> String {
        script.replacingOccurrences(of: "'([^'\\n]|'')*'", with: "S", options: .regularExpression)
    }

    func testUntrustedStringsAreSingleQuotedWithControlCharactersEscaped() {
        let strings = Self.hostile("PWNED")
        let chart = Chart(name: "c", title: strings[0], xLabel: strings[1], yLabel: strings[2], y2Label: strings[3],
                          series: strings.map { Chart.Series(title: $0, points: [(0, 1), (1, .nan)]) })
        let script = chart.script
        XCTAssertTrue(script.contains("set title '`touch PWNED`'\n"), script)
        XCTAssertTrue(script.contains("set ylabel '\u{200B}''; system(''touch PWNED''); '''\n"), script)
        XCTAssertTrue(script.contains("set y2label 'x\\nset output ''|touch PWNED'''\n"), script)
        XCTAssertTrue(script.contains("title 'back\\'"), script)
        XCTAssertTrue(script.contains("title '\\u{1B}[31mred\\r\\u{2028}'"), script)
        let commands = Self.outsideSingleQuotes(script)
        for forbidden in ["`", "\"", "@", ";", "system", "PWNED", "\r", "\u{1B}", "\u{2028}"] {
            XCTAssertFalse(commands.contains(forbidden), "'\(forbidden)' outside single quotes:\n\(commands)")
        }
        XCTAssertEqual(script.split(separator: "\n").count, 17 + 2 * strings.count, "one line per command, none added by a string")
        XCTAssertTrue(script.contains("pngcairo size 800,600 font 'Sans,12' noenhanced"))
        let data = chart.data
        XCTAssertEqual(data.split(separator: "\n").filter { !$0.hasPrefix("#") },
                       Array(repeating: ["0 1", "1 NaN"], count: strings.count).flatMap { $0 }, data)
        XCTAssertTrue(data.contains("# [3] x\\nset output '|touch PWNED'\n"), data)
    }

    func testFileStemsStayInTheFolderAndAreNeverPipes() {
        func stem(_ name: String) -> String { Chart(name: name, title: "", xLabel: "", yLabel: "", series: []).fileStem }
        XCTAssertEqual(stem("accuracy-vs-ratio"), "accuracy-vs-ratio")
        XCTAssertEqual(stem("../../etc/x"), "_._.._etc_x")
        XCTAssertEqual(stem("<touch x"), "_touch_x")
        XCTAssertEqual(stem("|lpr"), "_lpr")
        XCTAssertEqual(stem(".hidden"), "_hidden")
        XCTAssertEqual(stem("-rf"), "_rf")
        XCTAssertEqual(stem("`x`'"), "_x__")
        XCTAssertEqual(stem(""), "chart")
        let chart = Chart(name: "<a'b", title: "t", xLabel: "x", yLabel: "y", series: [Chart.Series(title: "s", points: [(0, 0)])])
        XCTAssertTrue(chart.script.contains("plot '_a_b.dat' index 0"), chart.script)
        XCTAssertTrue(chart.script(outputStem: ".x.1").contains("set output '.x.1.svg'"))
    }

    func testAStepPastIntegerRangeIsALabelNotATrap() {
        let records = [1e300, .infinity].map { step in
            ResultRecord(kind: .prune, model: "m", method: .pruning(.l1), ratio: 0.5, step: step, steps: 1, accuracy: 0.5, nonzero: 10)
        }
        XCTAssertEqual(Chart.accuracyVersusParameters(records)?.series.map(\.title), ["m, l1, 1e+302% per step", "m, l1, NaN% per step"])
    }

    func testTableCellsStayInTheirCellAndRow() {
        let table = Table(header: ["model"], rows: [["a|b\nc"]], csvRows: [["a|b\nc"]])
        XCTAssertEqual(table.markdown, "| model |\n|---|\n| a\\|b\\nc |\n")
        XCTAssertEqual(table.csv, "model\n\"a|b\nc\"\n")
    }

    /// The real gnuplot on hostile titles, labels and series names: renders, runs nothing,
    /// and the SVG shows the strings as written.
    func testGnuplotRendersHostileStringsLiterallyAndRunsNothing() throws {
        guard GnuplotRenderer.gnuplotPath != nil else { throw XCTSkip("gnuplot is not installed") }
        let dir = try Fixtures.temporaryDirectory(for: self).path
        let strings = Self.hostile("PWNED")
        let chart = Chart(name: "hostile", title: strings[0], xLabel: strings[1], yLabel: strings[2], y2Label: strings[3],
                          series: strings.map { Chart.Series(title: $0, points: [(0, 0.5), (1, 0.25)]) })
        let (files, hint) = try GnuplotRenderer.write([chart], to: dir)
        XCTAssertNil(hint)
        XCTAssertEqual(files.map { ($0 as NSString).lastPathComponent }, ["hostile.dat", "hostile.gp", "hostile.png", "hostile.svg"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), ["hostile.dat", "hostile.gp", "hostile.png", "hostile.svg"],
                       "a command ran (PWNED) or a temporary was left")
        let svg = try String(contentsOfFile: "\(dir)/hostile.svg", encoding: .utf8)
        for text in ["`touch PWNED`", "@GPVAL_TERM {^_} a_b ~c &amp; \\", "back\\", "&lt;touch PWNED"] {
            XCTAssertTrue(svg.contains(text), "'\(text)' not shown as written")
        }
    }
}
