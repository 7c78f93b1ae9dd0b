// Profile: where a model's time goes, step by step — each plan step (a fused conv + BatchNorm
// + activation is one) with its op, shapes, MACs, median milliseconds, share of the total,
// GFLOP/s and kernel — as `profile` records (one per step, one for the whole plan).

/// Times each plan step of one model on one input shape and batch size.
///
/// The batch runs split over `threads` lanes as `Bench` runs it, the lanes in step
/// (`Executor.profile`), so a step's time is the batch's wall-clock time through it, and the
/// steps' times add up to a little more than a forward pass.
public struct Profile {
    /// What the profile measured.
    public struct Result {
        /// The plan's steps in run order.
        public let steps: [StepProfile]
        /// One `.profile` record per step (its `layer` the step's label), in run order.
        public let stepRecords: [ResultRecord]
        /// The plan's `.profile` record (no `layer`): the sum of the steps' medians, their MACs,
        /// share 1, the GFLOP/s of the whole pass.
        public let total: ResultRecord

        /// The step records, then the total.
        public var records: [ResultRecord] { stepRecords + [total] }
    }

    /// The model's name in the records.
    public var model: String
    public var network: Model
    /// One image's shape, `[C, H, W]`.
    public var input: [Int]
    public var batch: Int
    /// Threads a batch's convs split their work over.
    public var threads: Int
    /// Untimed runs before timing.
    public var warmup: Int
    /// Timed runs; each step's time is their median.
    public var iterations: Int

    public init(model: String, network: Model, input: [Int], batch: Int = 1, threads: Int = Executor.defaultThreads,
                warmup: Int = 3, iterations: Int = 20) {
        self.model = model; self.network = network; self.input = input; self.batch = batch
        self.threads = threads; self.warmup = warmup; self.iterations = iterations
    }

    /// Profiles the model and appends the records (steps, then total) to `writer` when given.
    public func run(writer: ResultsWriter? = nil) throws -> Result {
        let steps = try LatencyBenchmark.profile(network, input: input, batch: batch, threads: threads,
                                                 warmup: warmup, iterations: iterations)
        let total = steps.reduce(0) { $0 + $1.medianMilliseconds }
        let macs = steps.reduce(0) { $0 + $1.macs }
        let stepRecords = steps.map { step in
            ResultRecord(kind: .profile, model: model, method: .dense, ratio: 0, layer: step.label, macs: step.macs, batch: batch,
                         latencyMs: step.medianMilliseconds, op: step.op, kernel: step.kernel, inputShape: step.inputShape,
                         outputShape: step.outputShape, share: total > 0 ? step.medianMilliseconds / total : 0,
                         gflops: step.gigaflopsPerSecond)
        }
        let totalRecord = ResultRecord(kind: .profile, model: model, method: .dense, ratio: 0, macs: macs, batch: batch,
                                       latencyMs: total, inputShape: input, share: 1,
                                       gflops: StepProfile.gigaflopsPerSecond(macs: macs, batch: batch, milliseconds: total))
        let result = Result(steps: steps, stepRecords: stepRecords, total: totalRecord)
        for record in result.records { try writer?.append(record) }
        return result
    }
}
