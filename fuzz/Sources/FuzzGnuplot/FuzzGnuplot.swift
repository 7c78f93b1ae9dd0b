// FuzzGnuplot: the gnuplot script and data writer (`Chart.script`, `Chart.data`) on hostile
// strings. Each input is read two ways: as a results.jsonl (parsed by `ResultsFile`, turned
// into charts by the report's builders), and as NUL-separated fields (chart name, title,
// axis labels, series titles, raw coordinates) of one chart built directly. Every script
// (as written, and with the renderer's temporary output stem) and data file must pass
// `GnuplotChecker`; a violation is a `fatalError`, so libFuzzer keeps the input.
// Corpus: fuzz/corpus/gnuplot.

import FuzzSupport
@testable import Report

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGnuplot(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzInput(data, size) { bytes in
        if let chart = chart(fields: bytes) { check(chart) }
        for chart in Chart.all(try ResultsFile.records(in: bytes[...], path: "input.jsonl")) {
            check(chart)
        }
    }
}

/// Checks the chart's script, the renderer's variant of it, and its data.
private func check(_ chart: Chart) {
    GnuplotChecker.checkScript(chart.script, chart)
    GnuplotChecker.checkScript(chart.script(outputStem: ".\(chart.fileStem).4242"), chart)
    GnuplotChecker.checkData(chart.data, chart)
}

/// One chart from `bytes`: flags, then fields split at NUL: name, title, x label, y label,
/// y2 label (empty: none), then one series per further field, up to 16 (none: no chart, as
/// the builders make none), its points the field's length and its bytes read as
/// little-endian doubles (x, y pairs).
private func chart(fields bytes: [UInt8]) -> Chart? {
    guard let flags = bytes.first else { return nil }
    let raw = bytes.dropFirst().split(separator: 0, omittingEmptySubsequences: false)
    let fields = raw.map { String(decoding: $0, as: UTF8.self) }
    guard fields.count > 5 else { return nil }
    let series = raw.dropFirst(5).prefix(16).enumerated().map { i, field in
        var points: [(x: Double, y: Double)] = [(Double(i), Double(field.count))]
        let doubles = stride(from: field.startIndex, to: field.endIndex - 7, by: 8).map { offset in
            Double(bitPattern: field[offset..<offset + 8].reversed().reduce(0) { $0 << 8 | UInt64($1) })
        }
        for pair in stride(from: 0, to: doubles.count - 1, by: 2) { points.append((doubles[pair], doubles[pair + 1])) }
        return Chart.Series(title: fields[5 + i], points: points, secondAxis: (flags >> (i % 8)) & 1 == 1)
    }
    return Chart(name: fields[0], title: fields[1], xLabel: fields[2], yLabel: fields[3], y2Label: fields[4].isEmpty ? nil : fields[4],
                 series: series, logX: flags & 1 == 1, yRange: flags & 2 == 2 ? 0...1 : nil)
}
