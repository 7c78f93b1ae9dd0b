import Foundation
import XCTest
import ShearsKit
import TestSupport

/// Sensitivity in-process: one record per selected layer and ratio, each with only that layer
/// pruned, resumed by key.
final class SensitivityTests: XCTestCase {
    func testEachLayerAloneAtEachRatioOnce() throws {
        let loaded = try ModelFile.read(Fixtures.repositoryRoot.appendingPathComponent("examples/models/student.pt").path)
        let images = try SweepTests.images(limit: 50)
        let analysis = Sensitivity(method: .l1, ratios: [0.5, 0.9])
        let layers = try analysis.layers(of: loaded.model)
        XCTAssertFalse(layers.isEmpty)
        let folder = try Fixtures.temporaryDirectory(for: self).path
        for expectedCount in [layers.count * 2, 0] {
            let records = try ResultsFolder.withWriter(in: folder) { writer in
                try analysis.run(loaded, point: SweepPoint(model: "student", images: images, batch: 50, timingIterations: 0, writer: writer))
            }
            XCTAssertEqual(records.count, expectedCount)
            XCTAssertTrue(records.allSatisfy { $0.kind == .sensitivity && $0.method == .pruning(.l1) && $0.accuracy != nil })
            XCTAssertEqual(Set(records.compactMap(\.layer)).count, expectedCount / 2)
        }
        XCTAssertFalse(Sensitivity.analyses(.channel))
        XCTAssertFalse(Sensitivity.analyses(.channel(importance: .batchNormScale)))
        XCTAssertFalse(Sensitivity.analyses(.globalL1))
        XCTAssertTrue(Sensitivity.analyses(.ln(n: 1)))
    }
}
