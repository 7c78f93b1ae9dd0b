// Chart: a line chart as data — title, axis labels with units, named series of points —
// and its gnuplot form: `<name>.dat` (one block per series, two blank lines apart) and
// `<name>.gp`, a script a user can edit and re-run from the chart's folder
// (`gnuplot <name>.gp` writes `<name>.png` at 800x600 and `<name>.svg`).

import Foundation

/// A line chart.
public struct Chart: Equatable, Sendable {
    /// One line: a legend title and its (x, y) points; `secondAxis` plots it against y2.
    public struct Series: Equatable, Sendable {
        public var title: String
        public var points: [(x: Double, y: Double)]
        public var secondAxis: Bool

        public init(title: String, points: [(x: Double, y: Double)], secondAxis: Bool = false) {
            self.title = title; self.points = points; self.secondAxis = secondAxis
        }

        public static func == (a: Series, b: Series) -> Bool {
            a.title == b.title && a.secondAxis == b.secondAxis && a.points.count == b.points.count
                && zip(a.points, b.points).allSatisfy { $0.x == $1.x && $0.y == $1.y }
        }
    }

    /// File stem of the .gp/.dat/.png/.svg.
    public var name: String
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var y2Label: String?
    public var series: [Series]
    public var logX = false
    /// Fixed y range (e.g. 0...1 for accuracy); nil lets gnuplot choose.
    public var yRange: ClosedRange<Double>?

    public init(name: String, title: String, xLabel: String, yLabel: String, y2Label: String? = nil,
                series: [Series], logX: Bool = false, yRange: ClosedRange<Double>? = nil) {
        self.name = name; self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.y2Label = y2Label
        self.series = series; self.logX = logX; self.yRange = yRange
    }

    /// The `.dat` text: a comment header, then one block per series (index i in the script).
    public var data: String {
        var text = "# \(title)\n# x: \(xLabel); y: \(yLabel)\(y2Label.map { "; y2: \($0)" } ?? "")\n"
        for (i, s) in series.enumerated() {
            if i > 0 { text += "\n\n" }
            text += "# [\(i)] \(s.title)\n"
            for p in s.points { text += "\(Self.number(p.x)) \(Self.number(p.y))\n" }
        }
        return text
    }

    /// The `.gp` script: PNG (pngcairo, 800x600) then SVG, same plot.
    public var script: String {
        var lines = [
            "# \(title): edit and run `gnuplot \(name).gp` in this folder.",
            "set title \"\(Self.escape(title))\"",
            "set xlabel \"\(Self.escape(xLabel))\"",
            "set ylabel \"\(Self.escape(yLabel))\"",
            "set grid lc rgb '#d0d0d0'",
            "set key above box horizontal maxcols 2",
            "set border lw 1.5",
            "set offsets graph 0.03, graph 0.03, graph 0.03, graph 0.03",
        ]
        if let y2Label { lines += ["set y2label \"\(Self.escape(y2Label))\"", "set y2tics", "set ytics nomirror"] }
        if logX { lines.append("set logscale x") }
        if let yRange { lines.append("set yrange [\(Self.number(yRange.lowerBound)):\(Self.number(yRange.upperBound))]") }
        // Distinct colour, dash pattern and point type per series, readable in black and white.
        let colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#000000", "#393b79"]
        for i in series.indices {
            lines.append("set style line \(i + 1) lc rgb '\(colours[i % colours.count])' lw 2 dt \(i % 5 + 1) pt \(i % 13 + 1) ps 1.2")
        }
        let plot = "plot " + series.enumerated().map { i, s in
            "'\(name).dat' index \(i) using 1:2 with linespoints ls \(i + 1)\(s.secondAxis ? " axes x1y2" : "") title \"\(Self.escape(s.title))\""
        }.joined(separator: ", \\\n     ")
        lines += ["set terminal pngcairo size 800,600 font 'Sans,12' enhanced", "set output '\(name).png'", plot,
                  "set terminal svg size 800,600 font 'Sans,12' enhanced", "set output '\(name).svg'", "replot", "unset output"]
        return lines.joined(separator: "\n") + "\n"
    }

    static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(format: "%.6g", v)
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "_", with: "\\\\_")
    }
}
