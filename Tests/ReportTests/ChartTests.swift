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
}
