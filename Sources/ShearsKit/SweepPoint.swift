// SweepPoint: measures one model variant for a sweep or sensitivity run — accuracy on the
// decoded images, parameters, nonzero, MACs, checkpoint size, latency — and appends the
// finished record.

import Foundation

/// The shared settings of every point of one run.
public struct SweepPoint {
    public let model: String
    public let images: DecodedImages
    public let batch: Int
    /// Timed batch-1 runs per point for `latency_ms`; 0 skips timing.
    public let timingIterations: Int
    public let writer: ResultsWriter
    /// Labels beyond the model's classes: refused (the default) or counted as wrong.
    public let unknownLabels: Evaluator.UnknownLabels

    public init(model: String, images: DecodedImages, batch: Int, timingIterations: Int, writer: ResultsWriter,
                unknownLabels: Evaluator.UnknownLabels = .refuse) {
        self.model = model; self.images = images; self.batch = batch
        self.timingIterations = timingIterations; self.writer = writer; self.unknownLabels = unknownLabels
    }

    /// Fills `record`'s measurements for `variant`, appends it to the writer and returns it.
    ///
    /// - Parameter fileSize: also record the torch.save size of the variant's state dict.
    @discardableResult
    public func measure(_ record: ResultRecord, _ variant: Model, fileSize: Bool = true) throws -> ResultRecord {
        var record = record
        let input = [3, images.preprocessing.crop, images.preprocessing.crop]
        let result = try Evaluator.evaluate(variant, on: images, batch: batch, unknownLabels: unknownLabels)
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
        return record
    }
}
