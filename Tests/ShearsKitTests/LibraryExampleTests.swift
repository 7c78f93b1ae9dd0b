import Foundation
import XCTest
import ShearsKit
import TestSupport

/// The README's library example, verbatim in `example()`, run from the repository root: a whole
/// sweep in-process (three methods at three ratios), its results file and its report. Its l1 and
/// global-l1 points give torch.nn.utils.prune's numbers (scripts/example/prune_torch.py).
final class LibraryExampleTests: XCTestCase {
    // README: begin library example
    func example() throws -> [ResultRecord] {
        let teacher = try ModelFile.read("examples/models/teacher.pt")
        let preprocessing = try Preprocessing(resize: 36, crop: 32, mean: Preprocessing.food11.mean, std: Preprocessing.food11.std)
        let images = try DecodedImages(dataset: try ImageDataset(root: "examples/fashion", split: "validation"), preprocessing: preprocessing)
        let plan = SweepPlan(methods: [.l1, .globalL1, .channel], ratios: [0, 0.5, 0.9])
        try ResultsFolder.withWriter(in: "out/library-example") { writer in
            let point = SweepPoint(model: "teacher", images: images, batch: 64, timingIterations: 0, writer: writer)
            try Sweep(plan: plan).run(teacher, point: point)
        }
        let records = try ResultsFile.read(path: "out/library-example/results.jsonl")
        let report = try ReportBuilder.build(records: records, outputDirectory: "out/library-example/plots")
        print(records.map { "\($0.method) \($0.ratio): \($0.accuracy!)" }, report.files)
        return records
    }
    // README: end library example

    func testReadmeExampleSweepsInProcessWithTorchsNumbers() throws {
        let root = Fixtures.repositoryRoot.path
        let previous = FileManager.default.currentDirectoryPath
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(root))
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
        try? FileManager.default.removeItem(atPath: "out/library-example")
        let records = try example()
        XCTAssertEqual(records.count, 9)
        let expected: [String: [Double: Int]] = ["l1": [0: 917, 0.5: 802, 0.9: 100], "global-l1": [0: 917, 0.5: 907, 0.9: 177]]
        for record in records where record.method != .pruning(.channel) {
            XCTAssertEqual(record.correct, expected[record.method.description]?[record.ratio], "\(record.method) \(record.ratio)")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: "out/library-example/plots/report.md"))

        let readme = try String(contentsOfFile: "README.md", encoding: .utf8)
        let source = try String(contentsOfFile: #filePath, encoding: .utf8)
        let body = source.components(separatedBy: "// README: begin library example\n")[1].components(separatedBy: "    // README: end")[0]
        // The body without the `func` line, the closing brace and the `return`.
        let lines = body.split(separator: "\n").dropFirst().dropLast(2).map { String($0.dropFirst(8)) }
        XCTAssertLessThanOrEqual(lines.count, 15, "the README's whole sweep takes at most 15 lines")
        XCTAssertTrue(readme.contains(lines.joined(separator: "\n")), "README's library example differs from the tested one")
    }
}
