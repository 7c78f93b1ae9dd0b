// Executor+Profile: times each plan step of a compiled model on one batch, the engine side of
// `shears profile`. The whole batch runs on the first lane (made for it with `splitBatch:
// false`: its convs split each image's work over the threads), step after step, each timed
// around its `Step.run`; `run` is untouched by it.

import NNCore

extension Executor {
    /// Runs `input` (`[N, inputShape...]`, N no more than one lane holds: `maxBatch` when made
    /// with `splitBatch: false`) `warmup` times untimed and `iterations` times timed on one
    /// lane, timing every step.
    ///
    /// - Returns: one `StepProfile` per plan step, in run order; `milliseconds` holds the
    ///   step's time in each timed run.
    /// - Throws: `NNError.invalidArgument` for an input of the wrong shape, a batch larger than
    ///   a lane, or `iterations` < 1 or `warmup` < 0; `NNError.overBudget` when the times
    ///   (8 bytes per step and run) would not fit the memory budget.
    public func profile(_ input: Tensor, warmup: Int = 1, iterations: Int) throws -> [StepProfile] {
        try checkInput(input)
        let n = input.shape[0], lane = lanes[0]
        guard n <= lane.capacity else {
            throw NNError.invalidArgument(name: "input", reason: "a batch of \(n) is split over \(lanes.count) threads, and profile runs one; compile the Executor with splitBatch: false")
        }
        guard iterations >= 1, warmup >= 0 else {
            throw NNError.invalidArgument(name: "iterations", reason: "need at least 1 timed and 0 untimed runs, got \(iterations) and \(warmup)")
        }
        try MemoryBudget.check(elements: [steps.count, iterations].checkedProduct ?? -1, of: MemoryLayout<Double>.size,
                               for: "the times of \(steps.count) steps over \(iterations) runs", path: "iterations")
        var times: [[Double]] = []
        input.scalars.withUnsafeBufferPointer { x in
            Self.withSingleThreadedBLAS {
                times = lane.profile(steps, input: x.baseAddress!, inputSize: inputShape.reduce(1, *), count: n,
                                     warmup: warmup, runs: iterations)
            }
        }
        return zip(steps, origins).enumerated().map { k, pair in
            let (step, origin) = pair
            return StepProfile(label: graph.nodes[origin.node].name,
                               op: origin.nodes.map { ModelStatistics.typeName(graph.nodes[$0].op) }.joined(separator: "+"),
                               kernel: step.kernelName, inputShape: origin.input, outputShape: origin.output, macs: step.macs,
                               batch: n, milliseconds: times[k])
        }
    }
}
