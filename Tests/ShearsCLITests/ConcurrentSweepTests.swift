// ConcurrentSweepTests: four `shears sweep` runs started together into one fresh --out
// folder, fifty times: every point lands in results.jsonl exactly once, and every run either
// succeeds or says in one line that another run holds the results file.

import Foundation
import XCTest
import TestSupport

final class ConcurrentSweepTests: XCTestCase {
    func testFourSweepsIntoOneFreshFolderNeverLoseNorDuplicateAPoint() throws {
        let root = try Fixtures.temporaryDirectory(for: self)
        let data = root.appendingPathComponent("images")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        for image in ["0_0.jpg", "1_0.jpg"] {
            try FileManager.default.copyItem(at: Fixtures.repositoryRoot.appendingPathComponent("examples/fashion/validation/\(image)"),
                                             to: data.appendingPathComponent(image))
        }
        var outcomes = (succeeded: 0, refused: 0)
        for round in 0..<50 {
            let out = root.appendingPathComponent("round\(round)")
            let arguments = ["sweep", CaseFolder.student, "--data", data.path, "--resize", "36", "--crop", "32",
                             "--methods", "l1", "--ratios", "0.25,0.5", "--timing-iterations", "0", "--out", out.path]
            let runs = try (0..<4).map { _ in try Run(arguments) }  // all four started before any is waited on
            for run in runs {
                let (status, stderr) = run.finish()
                if status == 0 {
                    outcomes.succeeded += 1
                } else {
                    outcomes.refused += 1
                    XCTAssertEqual(status, 1, "round \(round): \(stderr)")
                    XCTAssertEqual(stderr.split(separator: "\n").count, 1, "round \(round): \(stderr)")
                    XCTAssertTrue(stderr.contains("results.jsonl: another run is writing this results file"), "round \(round): \(stderr)")
                }
            }
            let text = try String(contentsOf: out.appendingPathComponent("results.jsonl"), encoding: .utf8)
            let points = try text.split(separator: "\n").map { line -> String in
                let record = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                return "\(record["model"] ?? "") \(record["method"] ?? "") \(record["ratio"] ?? "")"
            }
            XCTAssertEqual(points.sorted(), ["student l1 0.25", "student l1 0.5"], "round \(round): lost or duplicated points:\n\(text)")
        }
        XCTAssertGreaterThanOrEqual(outcomes.succeeded, 50, "each round has a run that owns the folder")
        print("4 x 50 sweeps: \(outcomes.succeeded) finished, \(outcomes.refused) refused (another run held the file)")
    }

    /// A `shears` process started at once, stdout discarded, killed after 60 s.
    private struct Run {
        let process = Process()
        let errors = Pipe()

        init(_ arguments: [String]) throws {
            process.executableURL = CLI.executable
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = errors
            try process.run()
            let process = self.process
            DispatchQueue.global().asyncAfter(deadline: .now() + 60) { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        }

        /// Waits for the exit; the status (-1 if killed by a signal) and stderr.
        func finish() -> (Int32, String) {
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationReason == .exit ? process.terminationStatus : -1, stderr)
        }
    }
}
