// ProfileReportTests: what the report makes of `profile` records: one horizontal-bar chart per
// model and batch size of its slowest steps (labelled layer + kernel, slowest on top, the
// plan's total left out), the table (slowest first, total last), the report section; records
// round-trip, files written before profile records existed still read, and hostile layer
// names stay labels.

import Foundation
import XCTest
import TestSupport
@testable import Report

final class ProfileReportTests: XCTestCase {
    /// Model "m" at batch 1: steps s0 ... s24 taking 0.1 ... 2.5 ms, then its total; model "n"
    /// at batch 8: two steps and its total.
    let records: [ResultRecord] = {
        func step(_ model: String, _ batch: Int, _ layer: String, _ ms: Double, _ kernel: String) -> ResultRecord {
            ResultRecord(kind: .profile, model: model, method: .dense, ratio: 0, layer: layer, macs: 1000, batch: batch, latencyMs: ms,
                         op: "Conv2d+ReLU", kernel: kernel, inputShape: [3, 8, 8], outputShape: [4, 8, 8], share: 0.01, gflops: 2)
        }
        func total(_ model: String, _ batch: Int, _ ms: Double) -> ResultRecord {
            ResultRecord(kind: .profile, model: model, method: .dense, ratio: 0, macs: 25000, batch: batch, latencyMs: ms,
                         inputShape: [3, 8, 8], share: 1, gflops: 2)
        }
        let m: [ResultRecord] = (0..<25).map { k in step("m", 1, "s\(k)", Double(k + 1) / 10, k % 2 == 0 ? "direct" : "winograd") }
        let n: [ResultRecord] = [step("n", 8, "a", 1, "add"), step("n", 8, "b", 3, "depthwise"), total("n", 8, 4)]
        return m + [total("m", 1, 32.5)] + n
    }()

    func testOneBarChartPerModelAndBatchOfItsSlowestStepsSlowestOnTop() throws {
        let charts = Chart.profiles(records)
        XCTAssertEqual(charts.map(\.name), ["profile-m-b1", "profile-n-b8"])
        XCTAssertEqual(Chart.all(records).map(\.name), charts.map(\.name))
        guard case .horizontalBars(let labels) = charts[0].style else { return XCTFail("\(charts[0].style)") }
        XCTAssertEqual(labels.count, 20)
        XCTAssertEqual(Array(labels.prefix(3)), ["s24 (direct)", "s23 (winograd)", "s22 (direct)"])
        XCTAssertEqual(labels.last, "s5 (winograd)")
        XCTAssertEqual(charts[0].series.count, 1)
        XCTAssertEqual(charts[0].series[0].points.map(\.x), (5..<25).reversed().map { Double($0 + 1) / 10 })
        XCTAssertEqual(charts[0].series[0].points.map(\.y), (0..<20).map(Double.init))
        XCTAssertEqual(charts[0].title, "Time per layer: m, batch 1 (the 20 slowest of 25 steps)")
        XCTAssertEqual(Chart.profiles(records, top: 1).map { $0.series[0].points.count }, [1, 1])
        let script = charts[1].script
        XCTAssertTrue(script.contains("set ytics ('b (depthwise)' 0, 'a (add)' 1) nomirror\n"), script)
        XCTAssertTrue(script.contains("set yrange [1.6:-0.6]\n"), script)
        XCTAssertTrue(script.contains("plot 'profile-n-b8.dat' index 0 using ($1/2):2:($1/2):(0.35) with boxxyerror"), script)
        XCTAssertEqual(charts[1].data.split(separator: "\n").filter { !$0.hasPrefix("#") }, ["3 0", "1 1"])
    }

    func testALongLayerNameKeepsItsEnd() throws {
        let name = "/features/features.16/conv/conv.0/conv.0.0/Conv"
        let record = ResultRecord(kind: .profile, model: "m", method: .dense, ratio: 0, layer: name, batch: 1, latencyMs: 1, kernel: "direct")
        guard case .horizontalBars(let labels) = Chart.profiles([record])[0].style else { return XCTFail() }
        XCTAssertEqual(labels, ["…" + "\(name) (direct)".suffix(40)])
    }

    func testTableIsSlowestFirstThenTheTotalPerRun() {
        let table = Table.profile(records)
        XCTAssertEqual(table.header, ["model", "batch", "layer", "op", "kernel", "input", "output", "MACs", "ms", "share", "GFLOP/s"])
        XCTAssertEqual(table.rows.map { $0[2] }, (0..<25).reversed().map { "s\($0)" } + ["total", "b", "a", "total"])
        XCTAssertEqual(table.rows[0], ["m", "1", "s24", "Conv2d+ReLU", "direct", "3x8x8", "4x8x8", "1,000", "2.500", "1.0%", "2.0"])
        XCTAssertEqual(table.csvRows[25], ["m", "1", "total", "", "", "3x8x8", "", "25000", "32.500", "100.0%", "2.0"])
    }

    func testTheReportHasATimePerLayerSectionWithItsCharts() throws {
        let dir = try Fixtures.temporaryDirectory(for: self).path
        _ = try ReportBuilder.build(records: records, outputDirectory: dir)
        let report = try String(contentsOfFile: "\(dir)/report.md", encoding: .utf8)
        XCTAssertTrue(report.contains("## Time per layer\n\n![Time per layer: m, batch 1 (the 20 slowest of 25 steps)](profile-m-b1.png)\n\n"
                                      + "![Time per layer: n, batch 8 (all 2 steps)](profile-n-b8.png)\n\n| model | batch | layer |"), report)
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(dir)/profile.csv"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(dir)/profile-m-b1.gp"))
    }

    func testProfileRecordsRoundTripAndOlderLinesStillRead() throws {
        let line = try records[0].jsonLine()
        XCTAssertEqual(try JSONDecoder().decode(ResultRecord.self, from: Data(line.utf8)), records[0])
        XCTAssertTrue(line.contains("\"input_shape\":[3,8,8]"), line)
        XCTAssertTrue(line.contains("\"kind\":\"profile\""), line)
        let old = #"{"batch":1,"images_per_second":800,"kind":"bench","latency_ms":1.25,"method":"channel","model":"teacher","ratio":0.5,"speedup":1.6,"variant":"channel-removed"}"#
        let record = try ResultsFile.records(in: Array((old + "\n").utf8)[...], path: "old.jsonl")
        XCTAssertEqual(record.map(\.kind), [.bench])
        XCTAssertNil(record[0].kernel)
        XCTAssertNil(record[0].inputShape)
    }

    /// The real gnuplot on hostile layer names as bar labels: renders, runs nothing, shows them.
    func testGnuplotRendersHostileLayerNamesLiterally() throws {
        guard GnuplotRenderer.gnuplotPath != nil else { throw XCTSkip("gnuplot is not installed") }
        let dir = try Fixtures.temporaryDirectory(for: self).path
        let steps = ChartTests.hostile("PWNED").map {
            ResultRecord(kind: .profile, model: "m", method: .dense, ratio: 0, layer: $0, batch: 1, latencyMs: 1, kernel: "direct")
        }
        let charts = Chart.profiles(steps)
        XCTAssertEqual(charts.count, 1)
        let (_, hint) = try GnuplotRenderer.write(charts, to: dir)
        XCTAssertNil(hint)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(),
                       ["profile-m-b1.dat", "profile-m-b1.gp", "profile-m-b1.png", "profile-m-b1.svg"], "a command ran (PWNED) or a temporary was left")
        let svg = try String(contentsOfFile: "\(dir)/profile-m-b1.svg", encoding: .utf8)
        for text in ["`touch PWNED` (direct)", "back\\ (direct)", "&lt;touch PWNED (direct)"] {
            XCTAssertTrue(svg.contains(text), "'\(text)' not shown as written")
        }
    }
}
