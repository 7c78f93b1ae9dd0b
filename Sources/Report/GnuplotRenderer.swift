// GnuplotRenderer: writes a chart's .dat and .gp and, when gnuplot is installed, runs the
// script in the chart's folder to render PNG and SVG (into temporary names, renamed into
// place, so a failed or interrupted render leaves no half-written image and no temporary).

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

    /// Runs the chart's script on a temporary copy that outputs temporary names
    /// (`.<chart>.<pid>.gp`, `.png`, `.svg`, registered with `TemporaryFiles`, and gnuplot
    /// itself, so a signal kills it and removes them), then renames the images into place.
    /// Stale temporaries of dead processes for the chart are removed first.
    private static func render(_ chart: Chart, in directory: String, gnuplot: String) throws -> [String] {
        let folder = URL(fileURLWithPath: directory).path
        TemporaryFiles.removeStale(in: folder, stems: [chart.fileStem], extensions: ["gp", "png", "svg"])
        let stem = ".\(chart.fileStem).\(getpid())"
        let script = chart.script(outputStem: stem)
        let temporaries = ["gp", "png", "svg"].map { TemporaryFiles.register("\(folder)/\(stem).\($0)") }
        defer { temporaries.forEach { $0.remove() } }
        try AtomicFile.write(script, to: temporaries[0].path)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: gnuplot)
        process.arguments = ["\(stem).gp"]
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let errors = Pipe()
        process.standardError = errors
        let child = try TemporaryFiles.startChild {
            try process.run()
            return process.processIdentifier
        }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        child.release()
        var files: [String] = []
        for temporary in temporaries.dropFirst() {
            let final = "\(directory)/\(chart.fileStem).\((temporary.path as NSString).pathExtension)"
            guard process.terminationStatus == 0, FileManager.default.fileExists(atPath: temporary.path) else {
                throw ReportError.unwritable(path: final, reason: "gnuplot failed: \(message.split(separator: "\n").last ?? "")")
            }
            guard rename(temporary.path, final) == 0 else {
                throw ReportError.unwritable(path: final, reason: "cannot rename into place: \(String(cString: strerror(errno)))")
            }
            files.append(final)
        }
        return files
    }
}
