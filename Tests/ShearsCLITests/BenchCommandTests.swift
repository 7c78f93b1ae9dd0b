// BenchCommandTests: `shears bench --train` end to end on the student: one JSON line per batch
// size with a step's median and fastest time and images/s (speed numbers are not checked: they
// live in bench/train), and the pruning options refused beside it.

import Foundation
import XCTest
import TestSupport

final class BenchCommandTests: XCTestCase {
    let student = Fixtures.repositoryRoot.appendingPathComponent("examples/models/student.pt").path

    func testTrainPrintsOneJSONLinePerBatchSize() throws {
        let result = try CLI.run(["bench", student, "--train", "--input", "3x32x32", "--batch", "2,3", "--warmup", "0", "--iterations", "1", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 2, result.stdout)
        for (line, batch) in zip(lines, [2, 3]) {
            let record = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            XCTAssertEqual(record["model"] as? String, "student")
            XCTAssertEqual(record["batch"] as? Int, batch)
            for key in ["median_ms", "min_ms", "images_per_second"] { XCTAssertGreaterThan(record[key] as? Double ?? 0, 0, key) }
        }
    }

    func testTrainRefusesThePruningOptions() throws {
        let result = try CLI.run(["bench", student, "--train", "--input", "3x32x32", "--methods", "l1"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("--train") && result.stderr.contains("--methods"), result.stderr)
    }
}
