// ReportBuilder: the whole report from result records: report.md with tables and the
// charts embedded, CSV copies of the tables, and the charts (.gp, .dat, .png, .svg).

import Foundation
import NNCore

/// What a report build wrote.
public struct ReportSummary: Sendable {
    public let files: [String]
    /// Set when charts could not be rendered (gnuplot missing).
    public let hint: String?
}

/// Builds `report.md` and its charts in one folder.
public enum ReportBuilder {
    public static func build(records: [ResultRecord], outputDirectory: String, title: String = "Shears report") throws -> ReportSummary {
        let charts = Chart.all(records)
        let (chartFiles, hint) = try GnuplotRenderer.write(charts, to: outputDirectory)
        var files = chartFiles
        let tables: [(name: String, heading: String, table: Table)] = [
            ("results", "Pruning", .pruning(records)),
            ("quantization", "Quantization", .quantization(records)),
            ("bench", "Speed", .bench(records)),
            ("sensitivity", "Per-layer sensitivity", .sensitivity(records)),
            ("profile", "Time per layer", .profile(records)),
        ].filter { !$0.table.rows.isEmpty }
        for t in tables {
            let path = "\(outputDirectory)/\(t.name).csv"
            try AtomicFile.write(t.table.csv, to: path)
            files.append(path)
        }
        let models = Array(Set(records.map(\.model))).sorted().map(\.escapingControlCharacters).joined(separator: ", ")
        var md = "# \(title.escapingControlCharacters)\n\n"
        md += "Models: \(models). Accuracy is top-1 on the validation images; parameters count conv, linear and "
        md += "BatchNorm weights and biases; MACs are per image (conv, linear, BatchNorm), effective MACs skip zero weights; "
        md += "latency is the median per batch after warm-up; a profile's MACs count conv and linear steps only, its share is of "
        md += "the sum of the steps' medians. Each chart has its `.gp` script and `.dat` data beside it: "
        md += "edit and run `gnuplot NAME.gp` in this folder.\n\n"
        if let hint { md += "> \(hint)\n\n" }
        let chartOf: [String: [String]] = [
            "results": ["accuracy-vs-ratio", "accuracy-vs-parameters"], "quantization": ["quantization"],
            "bench": ["speedup-vs-ratio"], "sensitivity": ["sensitivity"],
            "profile": charts.map(\.name).filter { $0.hasPrefix("profile-") },
        ]
        for t in tables {
            md += "## \(t.heading)\n\n"
            for chart in charts where chartOf[t.name]?.contains(chart.name) == true {
                md += "![\(chart.title)](\(chart.fileStem).png)\n\n"
            }
            md += t.table.markdown + "\n(CSV: `\(t.name).csv`)\n\n"
        }
        let report = "\(outputDirectory)/report.md"
        try AtomicFile.write(md, to: report)
        return ReportSummary(files: files + [report], hint: hint)
    }
}
