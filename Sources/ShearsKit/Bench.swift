// Bench: the dense model and its pruned variants timed side by side at each batch size —
// latency (median, p90), images/s and the speed-up over dense — as `bench` records.

/// Times `BenchVariant`s against each other on one input shape.
///
/// The variants take turns (`LatencyBenchmark.compare`: one run each per round, on the same
/// seeded random batch), so a burst of load on a shared machine slows them alike. The
/// speed-up of a variant is `dense median / its median`; the dense variant comes first.
public struct Bench {
    /// What one variant measured at one batch size.
    public struct Measurement {
        public let variant: BenchVariant
        public let stats: LatencyStats
        /// `dense median / stats.medianMilliseconds` at the same batch size (1 for dense).
        public let speedup: Double
        /// The `.bench` record of this measurement.
        public let record: ResultRecord
    }

    /// The model's name in the records.
    public var model: String
    /// The variants, dense first (`BenchVariant.make`).
    public var variants: [BenchVariant]
    /// One image's shape, `[C, H, W]`.
    public var input: [Int]
    /// Lanes a batch is split over (a single image's convs split their work over them instead).
    public var threads: Int
    /// Untimed runs per variant before timing.
    public var warmup: Int
    /// Timed runs per variant and batch size.
    public var iterations: Int

    public init(model: String, variants: [BenchVariant], input: [Int], threads: Int = Executor.defaultThreads,
                warmup: Int = 3, iterations: Int = 20) {
        self.model = model; self.variants = variants; self.input = input
        self.threads = threads; self.warmup = warmup; self.iterations = iterations
    }

    /// Each batch of `sizes` images of `shape` (`[size] + shape` float32) must fit the memory
    /// budget; `path` names what asked for the sizes in the error.
    public static func checkBatches(_ sizes: [Int], shape: [Int], path: String) throws {
        for size in sizes {
            try MemoryBudget.check(elements: ([size] + shape).checkedProduct ?? -1, of: 4,
                                   for: "a batch of \(size) float32 images of \(shape.map(String.init).joined(separator: "x"))", path: path)
        }
    }

    /// Times every variant at batch size `batch`; measurements in the order of `variants`.
    public func measure(batch: Int) throws -> [Measurement] {
        let measured = try LatencyBenchmark.compare(variants.map(\.model), input: input, batch: batch, threads: threads,
                                                    warmup: warmup, iterations: iterations,
                                                    sparseDensityLimits: variants.map { $0.sparseKernels ? nil : 0 })
        guard let dense = measured.first?.medianMilliseconds else { return [] }
        return zip(variants, measured).map { variant, stats in
            let speedup = dense / stats.medianMilliseconds
            let record = ResultRecord(kind: .bench, model: model, method: variant.method, ratio: variant.ratio,
                                      variant: variant.variant, batch: batch, latencyMs: stats.medianMilliseconds,
                                      latencyP90Ms: stats.p90Milliseconds, imagesPerSecond: stats.imagesPerSecond, speedup: speedup)
            return Measurement(variant: variant, stats: stats, speedup: speedup, record: record)
        }
    }

    /// Times the variants at each of `batches` in turn, appending each record to `writer`
    /// (when given) and then handing the measurement to `body`.
    public func run(batches: [Int], writer: ResultsWriter? = nil, _ body: (Measurement) throws -> Void = { _ in }) throws {
        for batch in batches {
            for measurement in try measure(batch: batch) {
                try writer?.append(measurement.record)
                try body(measurement)
            }
        }
    }
}
