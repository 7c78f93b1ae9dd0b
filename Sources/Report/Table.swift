// Table: rows of text cells with a header, rendered as Markdown or CSV, and the tables a
// report shows (pruning sweep, bench, quantization, sensitivity, profile) built from records.

import NNCore

/// A header and rows of already formatted cells.
public struct Table: Equatable, Sendable {
    public var header: [String]
    /// Cells for Markdown (numbers with thousands separators).
    public var rows: [[String]]
    /// Cells for CSV (plain numbers), same shape as `rows`.
    public var csvRows: [[String]]

    /// Markdown pipe table; a cell's control characters are escaped and its `|` written `\|`,
    /// so a model name from a results file stays in its cell and row.
    public var markdown: String {
        func row(_ cells: [String]) -> String {
            "| " + cells.map { $0.escapingControlCharacters.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |"
        }
        var lines = [row(header), "|" + header.map { _ in "---" }.joined(separator: "|") + "|"]
        lines += rows.map(row)
        return lines.joined(separator: "\n") + "\n"
    }

    /// RFC 4180 CSV (cells with commas, quotes or line breaks are quoted).
    public var csv: String {
        func cell(_ s: String) -> String {
            s.unicodeScalars.contains(where: { ",\"\n\r".unicodeScalars.contains($0) }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        return ([header] + csvRows).map { $0.map(cell).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }
}

/// `1234567` → `"1,234,567"` (thousands separators, as in tables and terminal output).
public func groupedDigits(_ value: Int) -> String {
    let digits = String(value.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return (value < 0 ? "-" : "") + out
}

/// `[3, 224, 224]` → `"3x224x224"` (shapes in tables and terminal output); "" for nil.
public func shapeText(_ shape: [Int]?) -> String {
    shape.map { $0.map(String.init).joined(separator: "x") } ?? ""
}

/// Number formats shared by tables: 4-decimal accuracy, grouped counts.
enum Cell {
    static func accuracy(_ v: Double?) -> String { v.map { String(format: "%.4f", $0) } ?? "" }
    static func ratio(_ v: Double?) -> String { v.map { String(format: "%.2f", $0) } ?? "" }
    static func milliseconds(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "" }
    static func plain(_ v: Int?) -> String { v.map(String.init) ?? "" }
    static func grouped(_ v: Int?) -> String { v.map(groupedDigits) ?? "" }
}

extension Table {
    /// Pruning sweep: model, method, step, ratio → accuracy, parameters, nonzero, MACs, latency,
    /// size. Rows go by model, pruning method and schedule (one-shot, then each step rate), and
    /// within one the plain series comes first, each recovered one ("+bn-recal", "+ft", "+kd")
    /// after it. Where any point was fine-tuned, a last column gives each one's recipe.
    public static func pruning(_ records: [ResultRecord]) -> Table {
        func order(_ r: ResultRecord) -> (String, String, Double, String, String, Double) {
            (r.model, ResultRecord.Method(r.method.base).description, r.step ?? -1, r.method.recovery?.rawValue ?? "", r.fineTuning?.summary ?? "", r.ratio)
        }
        let sorted = records.filter { $0.kind == .prune }.sorted { order($0) < order($1) }
        let trained = sorted.contains { $0.fineTuning != nil }
        let header = ["model", "method", "step", "ratio", "accuracy", "parameters", "nonzero", "MACs", "effective MACs", "latency ms", "file bytes"]
            + (trained ? ["fine-tuning"] : [])
        func row(_ r: ResultRecord, _ count: (Int?) -> String) -> [String] {
            [r.model, r.method.description, r.step.map { String(format: "%.2f", $0) } ?? "one-shot", Cell.ratio(r.ratio), Cell.accuracy(r.accuracy),
             count(r.parameters), count(r.nonzero), count(r.macs), count(r.effectiveMacs), Cell.milliseconds(r.latencyMs), count(r.fileBytes)]
                + (trained ? [r.fineTuning?.summary ?? ""] : [])
        }
        return Table(header: header, rows: sorted.map { row($0, Cell.grouped) }, csvRows: sorted.map { row($0, Cell.plain) })
    }

    /// Bench: variant, method, ratio, batch → latency median and p90, images/s, speed-up.
    public static func bench(_ records: [ResultRecord]) -> Table {
        let sorted = records.filter { $0.kind == .bench }.sorted { ($0.model, $0.batch ?? 0) < ($1.model, $1.batch ?? 0) }
        let header = ["model", "variant", "method", "ratio", "batch", "median ms", "p90 ms", "images/s", "speed-up"]
        let rows = sorted.map { r in
            [r.model, r.variant?.rawValue ?? "", r.method.description, Cell.ratio(r.ratio), Cell.plain(r.batch), Cell.milliseconds(r.latencyMs),
             Cell.milliseconds(r.latencyP90Ms), r.imagesPerSecond.map { String(format: "%.1f", $0) } ?? "",
             r.speedup.map { String(format: "%.2f", $0) } ?? ""]
        }
        return Table(header: header, rows: rows, csvRows: rows)
    }

    /// Quantization: bits → accuracy, blob bytes, size ratio against the float file.
    public static func quantization(_ records: [ResultRecord]) -> Table {
        let sorted = records.filter { $0.kind == .quantization }.sorted { ($0.model, $0.bits ?? 0) < ($1.model, $1.bits ?? 0) }
        let header = ["model", "bits", "per channel", "prune", "accuracy", "blob bytes", "float file bytes", "smaller by"]
        func row(_ r: ResultRecord, _ count: (Int?) -> String) -> [String] {
            let factor = sizeRatio(r.fileBytes.map(Double.init), r.blobBytes.map(Double.init)).map { "\(String(format: "%.2f", $0 / $1))x" }
            return [r.model, Cell.plain(r.bits), (r.perChannel ?? false) ? "yes" : "no",
                    r.ratio > 0 ? "\(r.method.pruningMethod.map { "\($0) " } ?? "")\(Cell.ratio(r.ratio))" : "",
                    Cell.accuracy(r.accuracy), count(r.blobBytes), count(r.fileBytes), factor ?? ""]
        }
        return Table(header: header, rows: sorted.map { row($0, Cell.grouped) }, csvRows: sorted.map { row($0, Cell.plain) })
    }

    /// Profile: per model and batch size, one row per plan step, slowest first, then the
    /// plan's total: layer, op, kernel, shapes → MACs per image, median ms, share, GFLOP/s.
    public static func profile(_ records: [ResultRecord]) -> Table {
        // Runs in order of first appearance; within one, steps slowest first and the total last.
        var runs: [String: Int] = [:]
        let points = records.filter { $0.kind == .profile }.map { r -> (run: Int, record: ResultRecord) in
            let key = "\(r.model)\u{0}\(r.batch ?? 1)"
            if runs[key] == nil { runs[key] = runs.count }
            return (runs[key]!, r)
        }
        let sorted = points.sorted {
            ($0.run, $0.record.layer == nil ? 1 : 0, -($0.record.latencyMs ?? 0)) < ($1.run, $1.record.layer == nil ? 1 : 0, -($1.record.latencyMs ?? 0))
        }.map(\.record)
        let header = ["model", "batch", "layer", "op", "kernel", "input", "output", "MACs", "ms", "share", "GFLOP/s"]
        func row(_ r: ResultRecord, _ count: (Int?) -> String) -> [String] {
            [r.model, Cell.plain(r.batch), r.layer ?? "total", r.op ?? "", r.kernel ?? "", shapeText(r.inputShape), shapeText(r.outputShape),
             count(r.macs), Cell.milliseconds(r.latencyMs), r.share.map { String(format: "%.1f%%", $0 * 100) } ?? "",
             r.gflops.map { String(format: "%.1f", $0) } ?? ""]
        }
        return Table(header: header, rows: sorted.map { row($0, Cell.grouped) }, csvRows: sorted.map { row($0, Cell.plain) })
    }

    /// Sensitivity: one row per layer, one column per ratio, accuracy in the cells.
    public static func sensitivity(_ records: [ResultRecord]) -> Table {
        let points = records.filter { $0.kind == .sensitivity }
        let ratios = Array(Set(points.map(\.ratio))).sorted()
        var layers: [String] = []
        for p in points where !layers.contains(p.layer ?? "") { layers.append(p.layer ?? "") }
        let rows = layers.map { layer in
            [layer] + ratios.map { ratio in Cell.accuracy(points.first { $0.layer == layer && $0.ratio == ratio }?.accuracy) }
        }
        return Table(header: ["layer"] + ratios.map { Cell.ratio($0) }, rows: rows, csvRows: rows)
    }
}

private func sizeRatio(_ a: Double?, _ b: Double?) -> (Double, Double)? {
    guard let a, let b, b > 0 else { return nil }
    return (a, b)
}
