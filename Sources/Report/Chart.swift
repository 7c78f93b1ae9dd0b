// Chart: a line chart (or a horizontal bar chart, `Style.horizontalBars`) as data — title,
// axis labels with units, named series of points — and its gnuplot form: `<stem>.dat` (one block per series, two blank lines apart) and
// `<stem>.gp`, a script a user can edit and re-run from the chart's folder
// (`gnuplot <stem>.gp` writes `<stem>.png` at 800x600 and `<stem>.svg`).
//
// Titles, labels and series names come from results files and checkpoint file names, so
// the script treats them as untrusted: each is written as a single-quoted gnuplot string
// (`'` doubled, see `quoted`; gnuplot does no backquote, macro or backslash processing
// inside single quotes) with control characters escaped, so none can end a line (bar labels
// too: they are ytics in the script, never strings in the .dat), and both
// terminals are `noenhanced` so `^ _ @ & { } ~ \` print as themselves. File names come from
// `fileStem`, which never starts with `<` or `|` (gnuplot's pipes) and never leaves the
// chart's folder; the script's one comment line holds nothing else (a comment ending in `\`
// would swallow the next command).

import Foundation
import NNCore

/// A line chart, or a horizontal bar chart.
public struct Chart: Equatable, Sendable {
    /// How the series are drawn.
    public enum Style: Equatable, Sendable {
        /// Lines with points, one per series.
        case lines
        /// Horizontal bars from the first series: its point (x, k) is a bar of length x on row
        /// k, labelled `labels[k]`; row 0 at the top.
        case horizontalBars(labels: [String])
    }

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

    /// The chart's identity, e.g. "accuracy-vs-ratio"; its files are named after `fileStem`.
    public var name: String
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var y2Label: String?
    public var series: [Series]
    public var logX = false
    /// Fixed y range (e.g. 0...1 for accuracy); nil lets gnuplot choose.
    public var yRange: ClosedRange<Double>?
    public var style: Style

    public init(name: String, title: String, xLabel: String, yLabel: String, y2Label: String? = nil,
                series: [Series], logX: Bool = false, yRange: ClosedRange<Double>? = nil, style: Style = .lines) {
        self.name = name; self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.y2Label = y2Label
        self.series = series; self.logX = logX; self.yRange = yRange; self.style = style
    }

    /// File stem of the .gp/.dat/.png/.svg: `name` with every character other than an ASCII
    /// letter, digit, `-`, `_` or `.` replaced by `_`, and a leading `.` or `-` too ("chart" if
    /// empty), so the files stay in their folder, are not hidden, and are never read by
    /// gnuplot as a pipe (`<cmd`, `|cmd`).
    public var fileStem: String {
        var stem = String(name.unicodeScalars.map { scalar -> Character in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".": return Character(scalar)
            default: return "_"
            }
        })
        if stem.first == "." || stem.first == "-" { stem = "_" + stem.dropFirst() }
        return stem.isEmpty ? "chart" : stem
    }

    /// The `.dat` text: a comment header, then one block per series (index i in the script).
    /// Strings in comment lines have their control characters escaped, so none can start a
    /// data row; a non-finite coordinate is written `NaN` (gnuplot skips the point).
    public var data: String {
        var text = "# \(title.escapingControlCharacters)\n"
        text += "# x: \(xLabel.escapingControlCharacters); y: \(yLabel.escapingControlCharacters)"
        text += (y2Label.map { "; y2: \($0.escapingControlCharacters)" } ?? "") + "\n"
        for (i, s) in series.enumerated() {
            if i > 0 { text += "\n\n" }
            text += "# [\(i)] \(s.title.escapingControlCharacters)\n"
            for p in s.points { text += "\(Self.number(p.x)) \(Self.number(p.y))\n" }
        }
        return text
    }

    /// The `.gp` script: PNG (pngcairo, 800x600) then SVG, same plot, written to `fileStem`.
    public var script: String { script(outputStem: fileStem) }

    /// The script with its PNG and SVG written to `<outputStem>.png` and `.svg` (the renderer
    /// gives a temporary stem); `outputStem` is quoted like every other string.
    func script(outputStem: String) -> String {
        let quoted = Self.quoted
        var lines = [
            "# Edit and run gnuplot \(quoted(fileStem + ".gp")) in this folder to write the PNG (800x600) and the SVG.",
            "set title \(quoted(title))",
            "set xlabel \(quoted(xLabel))",
            "set ylabel \(quoted(yLabel))",
            "set grid lc rgb '#d0d0d0'",
        ]
        let dat = quoted(fileStem + ".dat")
        let plot: String
        switch style {
        case .lines:
            lines += ["set key above box horizontal maxcols 2", "set border lw 1.5",
                      "set offsets graph 0.03, graph 0.03, graph 0.03, graph 0.03"]
            plot = linesPlot(&lines, data: dat)
        case .horizontalBars(let labels):
            // Each bar a box centred at (x/2, row), half-widths x/2 and 0.35.
            let tics = labels.enumerated().map { "\(quoted($1)) \($0)" }.joined(separator: ", ")
            lines += ["unset key", "set border lw 1.5", "set style fill solid 0.85 border lc rgb '#1f4e79'", "set ytics (\(tics)) nomirror",
                      "set yrange [\(Self.number(Double(labels.count) - 0.4)):-0.6]", "set xrange [0:*]", "set grid xtics noytics"]
            plot = "plot \(dat) index 0 using ($1/2):2:($1/2):(0.35) with boxxyerror lc rgb '#1f77b4' notitle"
        }
        lines += ["set terminal pngcairo size 800,600 font 'Sans,12' noenhanced", "set output \(quoted(outputStem + ".png"))", plot,
                  "set terminal svg size 800,600 font 'Sans,12' noenhanced", "set output \(quoted(outputStem + ".svg"))", "replot", "unset output"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Appends a line chart's axis and style settings to `lines` and gives its plot command
    /// over `data` (the quoted .dat name).
    private func linesPlot(_ lines: inout [String], data dat: String) -> String {
        let quoted = Self.quoted
        if let y2Label { lines += ["set y2label \(quoted(y2Label))", "set y2tics", "set ytics nomirror"] }
        if logX { lines.append("set logscale x") }
        if let yRange { lines.append("set yrange [\(Self.number(yRange.lowerBound)):\(Self.number(yRange.upperBound))]") }
        // Distinct colour, dash pattern and point type per series, readable in black and white.
        let colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#000000", "#393b79"]
        for i in series.indices {
            lines.append("set style line \(i + 1) lc rgb '\(colours[i % colours.count])' lw 2 dt \(i % 5 + 1) pt \(i % 13 + 1) ps 1.2")
        }
        return "plot " + series.enumerated().map { i, s in
            "\(dat) index \(i) using 1:2 with linespoints ls \(i + 1)\(s.secondAxis ? " axes x1y2" : "") title \(quoted(s.title))"
        }.joined(separator: ", \\\n     ")
    }

    /// `v` as gnuplot reads it: an integer when it is one (below 1e15), else 6 significant
    /// digits; `NaN` when not finite.
    static func number(_ v: Double) -> String {
        guard v.isFinite else { return "NaN" }
        return v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(format: "%.6g", v)
    }

    /// `s` as a gnuplot single-quoted string: control characters escaped (no line break can
    /// get in), `'` doubled. Inside single quotes gnuplot substitutes no backquoted command
    /// and no `@` macro and reads backslashes as themselves. Its scanner takes `''` as a quote
    /// only after another character of the string (a leading `''` is the empty string), so a
    /// zero-width space goes before a `'` that starts the string or follows another `'`.
    /// Works on Unicode scalars: a `'` followed by a combining mark is still a quote byte.
    static func quoted(_ s: String) -> String {
        var body = String.UnicodeScalarView()
        var previous: Unicode.Scalar?
        for scalar in s.escapingControlCharacters.unicodeScalars {
            if scalar == "'" {
                if previous == nil || previous == "'" { body.append("\u{200B}") }
                body.append(contentsOf: "''".unicodeScalars)
            } else {
                body.append(scalar)
            }
            previous = scalar
        }
        return "'" + String(body) + "'"
    }
}
