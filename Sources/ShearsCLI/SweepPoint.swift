// SweepPoint: measures one model variant for a sweep or sensitivity run — accuracy on
// the decoded images, parameters, nonzero, MACs, checkpoint size, latency — and appends
// the finished record.

import Foundation
import NN
import Report

/// The shared settings of every point of one run.
struct SweepPoint {
    let model: String
    let images: DecodedImages
    let batch: Int
    let timingIterations: Int
    let writer: ResultsWriter
    let json: Bool

    /// Fills `record`'s measurements for `variant` and appends it.
    func measure(_ record: ResultRecord, _ variant: Model, fileSize: Bool = true) throws {
        var record = record
        let input = [3, images.preprocessing.crop, images.preprocessing.crop]
        let result = try Evaluator.evaluate(variant, on: images, batch: batch)
        record.accuracy = result.classification.accuracy
        record.correct = result.classification.correct
        record.images = result.classification.images
        let statistics = try ModelStatistics(model: variant, input: input)
        record.parameters = statistics.parameters
        record.nonzero = statistics.nonzero
        record.macs = statistics.macs
        record.effectiveMacs = statistics.effectiveMACs
        if fileSize { record.fileBytes = TorchCheckpointWriter.byteCount(variant.stateDict) }
        if timingIterations > 0 {
            record.latencyMs = try LatencyBenchmark.measure(variant, input: input, batch: 1, warmup: 2, iterations: timingIterations).medianMilliseconds
        }
        try writer.append(record)
        let label = [record.method, record.step.map { String(format: "step %.2f", $0) }, record.bits.map { "\($0) bits" }, record.layer]
            .compactMap { $0 }.joined(separator: " ")
        printError(String(format: "%@ %@ ratio %.3f: accuracy %.4f, nonzero %@", model, label, record.ratio,
                          record.accuracy ?? 0, grouped(record.nonzero ?? 0)))
        if json {
            print(try record.jsonLine())
        }
    }
}
