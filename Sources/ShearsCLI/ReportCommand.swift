// `shears report`: results.jsonl files (merged) → report.md, CSV tables and gnuplot charts.

import ArgumentParser
import Foundation
import ShearsKit

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Turn results.jsonl files into report.md, CSV tables and gnuplot charts.",
        discussion: """
        Charts: accuracy vs pruning ratio (one line per method), accuracy vs remaining \
        parameters (iterative schedules), speed-up vs ratio (bench), accuracy and blob size vs \
        bits, per-layer sensitivity. Each is a .gp script plus .dat data you can edit and \
        re-run with gnuplot; PNG and SVG are rendered when gnuplot is installed.

        Example:
          shears report out/teacher/results.jsonl out/student/results.jsonl -o plots
        """
    )

    @Argument(help: ArgumentHelp("results.jsonl files written by sweep, bench --out or sensitivity.", valueName: "results"))
    var results: [String]

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Folder for report.md, CSVs and charts.", valueName: "dir"))
    var output: String = "plots"

    @Option(name: .long, help: ArgumentHelp("Report title.", valueName: "text"))
    var title: String = "Shears report"

    @Flag(name: .long, help: "Print the files written as JSON.")
    var json = false

    @OptionGroup var limitOptions: LimitOptions

    func validate() throws {
        try requireFolderName(output, flag: "--output")
        guard !results.isEmpty else { throw ValidationError("give at least one results.jsonl") }
    }

    func run() throws {
        let records = try ResultsFile.read(paths: results)
        guard !records.isEmpty else {
            throw ValidationError("\(results.joined(separator: ", ")): no result records to report (run shears sweep, bench --out or sensitivity first)")
        }
        try AtomicFile.requireWritable("\(output)/report.md")
        TemporaryFiles.removeStale(in: output, extensions: ["tmp"])
        let summary = try ReportBuilder.build(records: records, outputDirectory: output, title: title)
        if let hint = summary.hint { printError(hint) }
        if json {
            try printJSON(["records": records.count, "files": summary.files, "rendered": summary.hint == nil])
        } else {
            print("\(records.count) records → \(output)/report.md")
            summary.files.forEach { print("  \($0)") }
        }
    }
}
