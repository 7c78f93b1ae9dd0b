// Executor+Profile: times each plan step of a compiled model on one batch, the engine side of
// `shears profile`. The batch is split over the lanes as `run` splits it, but the lanes go
// through the steps together: each step runs on every lane at once and is timed from its start
// to the last lane's end, so its time is the batch's wall-clock time through it. A loop of its
// own: `run` carries no timing.

import Foundation
import NNCore

extension Executor {
    /// Runs `input` (`[N, inputShape...]`, 1 ≤ N ≤ `maxBatch`) `warmup` times untimed and
    /// `iterations` times timed, step by step, timing every step.
    ///
    /// A batch of N > 1 is split over `min(N, lanes)` lanes as in `run`, and each step waits for
    /// all of them (a `run` lets a lane go on to its next step at once), so the steps' times add
    /// up to a little more than a run's; a single image runs on one lane whose convs split their
    /// work over the threads, as in `run`.
    ///
    /// - Returns: one `StepProfile` per plan step, in run order; `milliseconds` holds the
    ///   step's wall-clock time in each timed run.
    /// - Throws: `NNError.invalidArgument` for an input of the wrong shape, `iterations` < 1 or
    ///   `warmup` < 0; `NNError.overBudget` when the times (8 bytes per step and run) would not
    ///   fit the memory budget.
    public func profile(_ input: Tensor, warmup: Int = 1, iterations: Int) throws -> [StepProfile] {
        try checkInput(input)
        guard iterations >= 1, warmup >= 0 else {
            throw NNError.invalidArgument(name: "iterations", reason: "need at least 1 timed and 0 untimed runs, got \(iterations) and \(warmup)")
        }
        try MemoryBudget.check(elements: [steps.count, iterations].checkedProduct ?? -1, of: MemoryLayout<Double>.size,
                               for: "the times of \(steps.count) steps over \(iterations) runs", path: "iterations")
        let n = input.shape[0], inputSize = inputShape.reduce(1, *)
        let (share, used) = lanePartition(of: n)
        func count(_ k: Int) -> Int { min(share, n - k * share) }
        var times = [[Double]](repeating: [], count: steps.count)
        for k in times.indices { times[k].reserveCapacity(iterations) }
        input.scalars.withUnsafeBufferPointer { x in
            Self.withSingleThreadedBLAS {
                for iteration in 0..<(warmup + iterations) {
                    for k in 0..<used { lanes[k].load(x.baseAddress!, inputSize: inputSize, first: k * share, count: count(k)) }
                    for (s, step) in steps.enumerated() {
                        let start = DispatchTime.now().uptimeNanoseconds
                        pool.parallelFor(used) { k in lanes[k].run(step, count: count(k), pool: stepPool) }
                        let end = DispatchTime.now().uptimeNanoseconds
                        if iteration >= warmup { times[s].append(Double(end - start) / 1e6) }
                    }
                }
            }
        }
        return zip(steps, origins).enumerated().map { s, pair in
            let (step, origin) = pair
            return StepProfile(label: graph.nodes[origin.node].name,
                               op: origin.nodes.map { ModelStatistics.typeName(graph.nodes[$0].op) }.joined(separator: "+"),
                               kernel: step.kernelName, inputShape: origin.input, outputShape: origin.output, macs: step.macs,
                               batch: n, milliseconds: times[s])
        }
    }
}
