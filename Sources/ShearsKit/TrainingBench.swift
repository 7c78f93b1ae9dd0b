// TrainingBench: the time of one training step (forward in training mode, cross-entropy,
// backward, an SGD-with-momentum step) on a seeded random batch, as `bench --train` reports it
// beside PyTorch's (bench/train). Speed numbers live here, never in unit tests.

import Foundation

/// Times `Trainer.step` on one batch size.
public enum TrainingBench {
    /// What the timed steps measured.
    public struct Measurement: Sendable, Equatable {
        public let batch: Int
        /// Median and fastest wall-clock milliseconds per step.
        public let medianMilliseconds: Double
        public let minimumMilliseconds: Double
        /// `batch / median`.
        public var imagesPerSecond: Double { medianMilliseconds > 0 ? Double(batch) * 1000 / medianMilliseconds : 0 }
    }

    /// Runs `warmup` untimed then `iterations` timed steps of `model` (SGD, lr 0.01, momentum
    /// 0.9, as `finetune`'s default) on a seeded random `[batch, input...]` with seeded random
    /// labels among the logits' classes. The model's weights move as in training (the timing
    /// does not depend on them).
    public static func measure(_ model: Model, input: [Int], batch: Int, warmup: Int = 2, iterations: Int = 10) throws -> Measurement {
        let images = LatencyBenchmark.randomBatch(input: input, batch: batch)
        var trainer = Trainer(model: try TrainableModel(model), optimizer: try Optimizer(FineTuneSettings().optimizer),
                              loss: .crossEntropy(CrossEntropyLoss()))
        // The labels are drawn among the logits' classes, read from one untimed evaluation-mode forward.
        let classes = try trainer.model.forward(LatencyBenchmark.randomBatch(input: input, batch: 1), training: false).output.shape.last ?? 1
        var generator = SplitMix64(seed: 7)
        let labels = (0..<batch).map { _ in Int(generator.next() % UInt64(max(classes, 1))) }
        var times: [Double] = []
        for run in 0..<(warmup + max(iterations, 1)) {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try trainer.step(images, labels: labels, learningRate: 0.01)
            if run >= warmup { times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6) }
        }
        let sorted = times.sorted()
        return Measurement(batch: batch, medianMilliseconds: LatencyBenchmark.median(sorted), minimumMilliseconds: sorted[0])
    }
}
