// GnuplotRenderer: writes a chart's .dat and .gp and, when gnuplot is installed, runs the
// script in the chart's folder to render PNG and SVG (into temporary names, renamed into
// place, so a failed render leaves no half-written image).

import Foundation
import NNCore

/// Writing and rendering gnuplot charts.
public enum GnuplotRenderer {
    /// The gnuplot executable on PATH, if any.
    public static var gnuplotPath: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/gnuplot" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Writes `<dir>/<fileStem>.dat` and `.gp` for each chart; renders them when gnuplot exists.
    ///
    /// - Returns: the files written, and a hint when gnuplot is missing (nil when rendered).
    public static func write(_ charts: [Chart], to directory: String) throws -> (files: [String], hint: String?) {
        var files: [String] = []
        for chart in charts {
            let dat = "\(directory)/\(chart.fileStem).dat", gp = "\(directory)/\(chart.fileStem).gp"
            try AtomicFile.write(chart.data, to: dat)
            try AtomicFile.write(chart.script, to: gp)
            files += [dat, gp]
        }
        guard let gnuplot = gnuplotPath else {
            let scripts = charts.map { "\($0.fileStem).gp" }.joined(separator: " ")
            return (files, "gnuplot not found: install gnuplot-nox (apt-get install gnuplot-nox), then run `gnuplot \(scripts)` in \(directory)")
        }
        for chart in charts {
            files += try render(chart, in: directory, gnuplot: gnuplot)
        }
        return (files, nil)
    }

    /// Runs the chart's script on a temporary copy that outputs temporary names, then renames.
    private static func render(_ chart: Chart, in directory: String, gnuplot: String) throws -> [String] {
        let stem = ".\(chart.fileStem).\(getpid())"
        let script = chart.script(outputStem: stem)
        let scriptPath = "\(directory)/\(stem).gp"
        try AtomicFile.write(script, to: scriptPath)
        defer { try? FileManager.default.removeItem(atPath: scriptPath) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: gnuplot)
        process.arguments = ["\(stem).gp"]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        var files: [String] = []
        for ext in ["png", "svg"] {
            let temporary = "\(directory)/\(stem).\(ext)", final = "\(directory)/\(chart.fileStem).\(ext)"
            guard process.terminationStatus == 0, FileManager.default.fileExists(atPath: temporary) else {
                try? FileManager.default.removeItem(atPath: temporary)
                throw ReportError.unwritable(path: final, reason: "gnuplot failed: \(message.split(separator: "\n").last ?? "")")
            }
            guard rename(temporary, final) == 0 else { throw ReportError.unwritable(path: final, reason: "cannot rename into place") }
            files.append(final)
        }
        return files
    }
}
