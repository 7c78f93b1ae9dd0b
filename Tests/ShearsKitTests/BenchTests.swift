// BenchTests: the variants a bench makes from the student (order, kinds, methods, ratios,
// which run on the sparse kernel) and the structure of its records, timed once, in-process.
// Never asserts on a time.

import XCTest
import ShearsKit
import TestSupport

final class BenchTests: XCTestCase {
    let path = Fixtures.repositoryRoot.appendingPathComponent("examples/models/student.pt").path
    let methods: [PruningMethod] = [.l1, .ln(n: 2), .channel]

    func testVariantsAreDenseThenEachMethodAtEachRatioWithMaskedSparseAfterUnstructured() throws {
        let student = try ModelFile.read(path).model
        let variants = try BenchVariant.make(from: student, methods: methods, ratios: [0.3, 0.6], path: path)
        XCTAssertEqual(BenchVariant.count(methods: methods, ratios: 2), 9)
        XCTAssertEqual(variants.count, 9)
        XCTAssertEqual(variants.map(\.variant), [.dense, .maskedUnstructured, .maskedSparse, .maskedUnstructured, .maskedSparse,
                                                 .maskedStructured, .maskedStructured, .channelRemoved, .channelRemoved])
        XCTAssertEqual(variants.map(\.method.description), ["dense", "l1", "l1", "l1", "l1", "ln", "ln", "channel", "channel"])
        XCTAssertEqual(variants.map(\.ratio), [0, 0.3, 0.3, 0.6, 0.6, 0.3, 0.6, 0.3, 0.6])
        XCTAssertEqual(variants.map(\.sparseKernels), variants.map { $0.variant == .maskedSparse })
        // Each masked-sparse variant is the unstructured model before it, on the sparse kernel.
        for (index, variant) in variants.enumerated() where variant.variant == .maskedSparse {
            let masked = variants[index - 1]
            XCTAssertEqual(masked.variant, .maskedUnstructured)
            XCTAssertEqual(masked.ratio, variant.ratio)
            XCTAssertEqual(masked.model, variant.model)
        }
        // Masks keep the parameters; channel removal drops some.
        let dense = ModelStatistics.parameterCount(of: student)
        for variant in variants {
            let parameters = ModelStatistics.parameterCount(of: variant.model)
            if variant.variant == .channelRemoved { XCTAssertLessThan(parameters, dense) } else { XCTAssertEqual(parameters, dense) }
        }
    }

    func testABatchNormScaleVariantIsChannelRemovedAndNamedByItsRanking() throws {
        let student = try ModelFile.read(path).model
        let slimming = PruningMethod.channel(importance: .batchNormScale)
        let variants = try BenchVariant.make(from: student, methods: [.channel, slimming], ratios: [0.5], path: path)
        XCTAssertEqual(variants.map(\.variant), [.dense, .channelRemoved, .channelRemoved])
        XCTAssertEqual(variants.map(\.method.description), ["dense", "channel", "channel-bn-scale"])
        XCTAssertEqual(variants[2].model, try Pruner.prune(student, method: slimming, amount: .fraction(0.5)).0)
        XCTAssertNotEqual(variants[1].model, variants[2].model)
    }

    func testRecordsAreBenchRecordsWithDenseSpeedupOne() throws {
        let student = try ModelFile.read(path).model
        let variants = try BenchVariant.make(from: student, methods: [.l1, .channel], ratios: [0.5], path: path)
        let bench = Bench(model: "student", variants: variants, input: [3, 32, 32], threads: 1, warmup: 0, iterations: 1)
        let folder = try Fixtures.temporaryDirectory(for: self).path
        var measured: [Bench.Measurement] = []
        try ResultsFolder.withWriter(in: folder) { writer in
            try bench.run(batches: [1, 2], writer: writer) { measured.append($0) }
        }
        XCTAssertEqual(measured.count, 2 * variants.count)
        XCTAssertEqual(measured.map(\.record.batch), [Int](repeating: 1, count: 4) + [Int](repeating: 2, count: 4))
        XCTAssertEqual(measured.map(\.stats.batch), measured.map(\.record.batch))
        for measurement in measured {
            let record = measurement.record
            XCTAssertEqual(record.kind, .bench)
            XCTAssertEqual(record.model, "student")
            XCTAssertEqual(record.variant, measurement.variant.variant)
            XCTAssertEqual(record.method, measurement.variant.method)
            XCTAssertEqual(record.ratio, measurement.variant.ratio)
            XCTAssertEqual(record.speedup, measurement.speedup)
            XCTAssertEqual(record.latencyMs, measurement.stats.medianMilliseconds)
            if measurement.variant.variant == .dense { XCTAssertEqual(measurement.speedup, 1) }
        }
        let lines = try String(contentsOfFile: folder + "/results.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.map(String.init), try measured.map { try $0.record.jsonLine() })
    }

    func testBatchesBeyondTheMemoryBudgetAreRefusedNamingTheirSource() {
        XCTAssertNoThrow(try Bench.checkBatches([1, 32], shape: [3, 224, 224], path: "--batch"))
        XCTAssertThrowsError(try Bench.checkBatches([1, 1 << 40], shape: [3, 224, 224], path: "--batch")) { error in
            XCTAssertTrue("\(error)".contains("--batch"), "\(error)")
        }
    }
}
