// LatencyBenchmark: times a compiled model on a fixed random batch after warm-up, and
// reports median and 90th-percentile latency per batch, or (`profile`) each plan step's
// times. Speed numbers live here and in `shears bench` and `shears profile`, never in unit
// tests.

import Foundation
import NNCore
import NNEngine

/// Latency statistics of one model at one batch size.
public struct LatencyStats: Sendable, Equatable {
    public let batch: Int
    /// Median wall-clock milliseconds per batch.
    public let medianMilliseconds: Double
    /// 90th-percentile milliseconds per batch (nearest rank).
    public let p90Milliseconds: Double
    /// `batch / median`.
    public var imagesPerSecond: Double { medianMilliseconds > 0 ? Double(batch) * 1000 / medianMilliseconds : 0 }
}

/// Times `Executor.run` on one batch.
public enum LatencyBenchmark {
    /// Runs `warmup` untimed then `iterations` timed forward passes of a seeded random `[batch, input...]`
    /// on an Executor with `threads` lanes.
    public static func measure(_ model: Model, input: [Int], batch: Int, threads: Int = Executor.defaultThreads,
                               warmup: Int = 3, iterations: Int = 20) throws -> LatencyStats {
        try compare([model], input: input, batch: batch, threads: threads, warmup: warmup, iterations: iterations)[0]
    }

    /// Times several models on the same seeded random batch, interleaved: each round runs every
    /// model once, so a burst of load on a shared machine slows all of them alike rather than
    /// whichever happened to be measured then. Statistics in the order of `models`.
    ///
    /// - Parameter sparseDensityLimits: per model, the Executor's `sparseDensityLimit` (its
    ///   default when nil).
    public static func compare(_ models: [Model], input: [Int], batch: Int, threads: Int = Executor.defaultThreads,
                               warmup: Int = 3, iterations: Int = 20, sparseDensityLimits: [Double?]? = nil) throws -> [LatencyStats] {
        let executors = try models.indices.map {
            try Executor(model: models[$0], input: input, maxBatch: batch, threads: threads,
                         sparseDensityLimit: sparseDensityLimits?[$0] ?? nil)
        }
        let data = randomBatch(input: input, batch: batch)
        for _ in 0..<warmup { for executor in executors { _ = try executor.run(data) } }
        var times = [[Double]](repeating: [], count: executors.count)
        for _ in 0..<max(iterations, 1) {
            for (k, executor) in executors.enumerated() {
                let start = DispatchTime.now().uptimeNanoseconds
                _ = try executor.run(data)
                times[k].append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
        }
        return times.map { samples in
            let sorted = samples.sorted()
            let p90Index = min(sorted.count - 1, Int((0.9 * Double(sorted.count)).rounded(.up)) - 1)
            return LatencyStats(batch: batch, medianMilliseconds: median(sorted), p90Milliseconds: sorted[max(p90Index, 0)])
        }
    }

    /// Times each plan step of `model` on a seeded random `[batch, input...]` on an Executor
    /// with `threads` lanes, `warmup` untimed runs then `iterations` timed ones
    /// (`Executor.profile`: each step's wall-clock time for the whole batch, its lanes in step).
    public static func profile(_ model: Model, input: [Int], batch: Int, threads: Int = Executor.defaultThreads,
                               warmup: Int = 3, iterations: Int = 20) throws -> [StepProfile] {
        let executor = try Executor(model: model, input: input, maxBatch: batch, threads: threads)
        return try executor.profile(randomBatch(input: input, batch: batch), warmup: warmup, iterations: iterations)
    }

    /// The benchmarks' input: `[batch, input...]` uniform in [−1, 1) from a SplitMix64 seeded 42.
    package static func randomBatch(input: [Int], batch: Int) -> Tensor {
        var generator = SplitMix64(seed: 42)
        let count = batch * input.reduce(1, *)
        return Tensor(shape: [batch] + input, scalars: (0..<count).map { _ in Float(generator.nextUnit()) * 2 - 1 })
    }

    /// The median of ascending `sorted` (the mean of the middle two for an even count; 0 when empty).
    package static func median(_ sorted: [Double]) -> Double {
        let n = sorted.count
        guard n > 0 else { return 0 }
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }
}
