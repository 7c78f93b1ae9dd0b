// InterruptedOutputTests: SIGKILL and SIGINT at seeded random moments of `prune -o`,
// `quantize -o`, `sweep` and `report` never leave a file under its final name that is
// incomplete, and the next run of the same command leaves no temporary behind.

import Foundation
import XCTest
import NN
import TestSupport

final class InterruptedOutputTests: XCTestCase {
    /// One command under test: its arguments (run in its own folder) and the outputs it makes.
    struct Command {
        let name: String
        let arguments: [String]
        /// Output files, relative to the folder; a missing one is fine, an existing one must be complete.
        let outputs: [String]
    }

    static let student = Fixtures.repositoryRoot.appendingPathComponent("examples/models/student.pt").path
    static let preprocessing = ["--resize", "36", "--crop", "32"]
    static let charts = ["accuracy-vs-ratio.dat", "accuracy-vs-ratio.gp", "accuracy-vs-ratio.png", "accuracy-vs-ratio.svg"]

    static let commands = [
        Command(name: "prune", arguments: ["prune", student, "--amount", "0.5", "-o", "pruned.pt"], outputs: ["pruned.pt"]),
        Command(name: "quantize", arguments: ["quantize", student, "-o", "student.pkl", "--eval", "data"] + preprocessing,
                outputs: ["student.pkl"]),
        Command(name: "sweep", arguments: ["sweep", student, "--data", "data", "--methods", "l1", "--ratios", "0,0.5",
                                           "--timing-iterations", "0", "--out", "sweep"] + preprocessing,
                outputs: ["sweep/results.jsonl"]),
        Command(name: "report", arguments: ["report", "results.jsonl", "-o", "plots"],
                outputs: (charts + ["report.md", "results.csv"]).map { "plots/\($0)" }),
    ]

    /// Signals per command: SIGKILL and SIGINT in turn, at a moment drawn over the command's
    /// whole run time, or just after its first output or temporary appears (a write under way).
    static let signalsPerCommand = 16

    /// When a signal is sent.
    enum Moment {
        /// This many seconds after the start.
        case after(Double)
        /// This many seconds after the first output or temporary of the run appears.
        case writing(Double)
    }

    func testSignalsNeverLeaveIncompleteOutputsOrTemporaries() throws {
        let root = try Fixtures.temporaryDirectory(for: self)
        let reference = root.appendingPathComponent("reference")
        try makeInputs(in: reference)
        var generator = SplitMix64(seed: 20)
        for command in Self.commands {
            let folder = root.appendingPathComponent(command.name)
            try makeInputs(in: folder)
            if command.name == "report" {
                // The report's input: the results of the reference sweep (the command before it).
                for destination in [reference, folder] {
                    try FileManager.default.copyItem(at: reference.appendingPathComponent("sweep/results.jsonl"),
                                                     to: destination.appendingPathComponent("results.jsonl"))
                }
            }
            let start = Date()
            try run(command, in: reference)
            let duration = Date().timeIntervalSince(start)
            var interrupted = 0
            for k in 0..<Self.signalsPerCommand {
                let signal = k % 2 == 0 ? SIGKILL : SIGINT
                let moment: Moment = k % 4 < 2 ? .after(generator.nextUnit() * duration) : .writing(generator.nextUnit() * 0.005)
                let context = "\(command.name), signal \(signal) at \(moment) of a \(String(format: "%.3f", duration)) s run"
                if try interrupt(command, in: folder, at: moment, with: signal, context: context) { interrupted += 1 }
                if signal == SIGINT {
                    XCTAssertEqual(temporaries(in: folder), [], "left by SIGINT: \(context)")
                }
                try assertComplete(command, in: folder, reference: reference, context: context)
                // The next run finishes, removes what the interrupted one left, and makes the reference outputs.
                try run(command, in: folder)
                XCTAssertEqual(temporaries(in: folder), [], "left after the run that followed: \(context)")
                for output in command.outputs {
                    XCTAssertEqual(FileManager.default.contents(atPath: folder.appendingPathComponent(output).path),
                                   FileManager.default.contents(atPath: reference.appendingPathComponent(output).path),
                                   "\(output) after the run that followed: \(context)")
                }
                if command.name != "sweep" {
                    for output in command.outputs { try? FileManager.default.removeItem(at: folder.appendingPathComponent(output)) }
                } else {
                    try FileManager.default.removeItem(at: folder.appendingPathComponent("sweep"))
                }
            }
            XCTAssertGreaterThanOrEqual(interrupted, Self.signalsPerCommand / 4, "\(command.name): too few signals struck while it ran")
        }
    }

    /// `data/`: two validation images of the bundled example.
    func makeInputs(in folder: URL) throws {
        let data = folder.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        for name in ["0_0.jpg", "1_0.jpg"] {
            try FileManager.default.copyItem(at: Fixtures.repositoryRoot.appendingPathComponent("examples/fashion/validation/\(name)"),
                                             to: data.appendingPathComponent(name))
        }
    }

    /// Runs `command` in `folder` to the end; it must succeed.
    func run(_ command: Command, in folder: URL) throws {
        let result = try CLI.run(command.arguments, in: folder)
        XCTAssertEqual(result.status, 0, "\(command.name): \(result.stderr)")
    }

    /// Starts `command` in `folder`, sends `signal` at `moment`, and waits for it (and, after
    /// SIGKILL, for the gnuplot it may have left running) to end; returns whether the signal
    /// ended it (rather than the command finishing first).
    func interrupt(_ command: Command, in folder: URL, at moment: Moment, with signal: Int32, context: String) throws -> Bool {
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = command.arguments
        process.currentDirectoryURL = folder
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        switch moment {
        case .after(let delay):
            usleep(UInt32(delay * 1_000_000))
        case .writing(let delay):
            let pid = process.processIdentifier
            while process.isRunning && !command.outputs.contains(where: { FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path) })
                    && !temporaries(in: folder).contains(where: { $0.contains(".\(pid).") }) {
                usleep(100)
            }
            usleep(UInt32(delay * 1_000_000))
        }
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        if process.terminationReason == .uncaughtSignal {
            XCTAssertEqual(process.terminationStatus, signal, "died of another signal: \(context)")
        } else {
            XCTAssertEqual(process.terminationStatus, 0, "finished, but failed: \(context)")
        }
        if signal == SIGKILL { waitForOrphans(of: process.processIdentifier) }
        return process.terminationReason == .uncaughtSignal
    }

    /// Waits (up to 10 s) until no gnuplot started by the killed `pid` (its script is
    /// `.<chart>.<pid>.gp`) still runs: SIGKILL leaves it rendering, and its temporaries
    /// appear after it.
    func waitForOrphans(of pid: pid_t) {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let running = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.contains { entry in
                guard Int(entry) != nil, let line = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return false }
                return String(decoding: line, as: UTF8.self).contains(".\(pid).gp")
            } ?? false
            if !running { return }
            usleep(10_000)
        }
    }

    /// Every output of `command` that exists is complete: the reference run's bytes; a
    /// results file is complete lines of JSON, each one of the reference's.
    func assertComplete(_ command: Command, in folder: URL, reference: URL, context: String) throws {
        for output in command.outputs {
            guard let bytes = FileManager.default.contents(atPath: folder.appendingPathComponent(output).path) else { continue }
            let expected = try XCTUnwrap(FileManager.default.contents(atPath: reference.appendingPathComponent(output).path))
            if output.hasSuffix(".jsonl") {
                XCTAssertTrue(bytes.isEmpty || bytes.last == UInt8(ascii: "\n"), "a half line in \(output): \(context)")
                let lines = Set(String(decoding: expected, as: UTF8.self).split(separator: "\n"))
                for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
                    XCTAssertTrue(lines.contains(line), "\(output) holds '\(line)': \(context)")
                }
            } else {
                XCTAssertEqual(bytes, expected, "\(output) is incomplete: \(context)")
            }
        }
    }

    /// Names under `folder` that look like temporaries: `.*.tmp`, `.<name>.<pid>.<ext>`.
    func temporaries(in folder: URL) -> [String] {
        let items = FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String } ?? []
        return items.filter { path in
            let name = (path as NSString).lastPathComponent
            let parts = name.split(separator: ".")
            return name.hasPrefix(".") && (name.hasSuffix(".tmp") || (parts.count >= 3 && Int(parts[parts.count - 2]) != nil))
        }.sorted()
    }
}
