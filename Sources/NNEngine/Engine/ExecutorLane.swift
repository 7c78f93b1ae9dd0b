// ExecutorLane: one thread's share of an Executor: its own node buffers and convolution
// scratch, sized for `capacity` samples, over which the shared steps run.

import NNCore
import Foundation

/// Buffers and scratch for up to `capacity` samples; the steps themselves are shared.
final class ExecutorLane {
    let buffers: [UnsafeMutablePointer<Float>]
    let scratch: UnsafeMutablePointer<Float>
    /// The most samples a run may hold.
    let capacity: Int

    /// - Parameters:
    ///   - bufferSampleSizes: per-sample floats of each plan buffer.
    ///   - scratchSize: floats of convolution scratch for `capacity` samples.
    init(capacity: Int, bufferSampleSizes: [Int], scratchSize: Int) {
        self.capacity = capacity
        buffers = bufferSampleSizes.map { size in
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(size * capacity, 1))
            p.initialize(repeating: 0, count: max(size * capacity, 1))
            return p
        }
        scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(scratchSize, 1))
        scratch.initialize(repeating: 0, count: max(scratchSize, 1))
    }

    deinit {
        buffers.forEach { $0.deallocate() }
        scratch.deallocate()
    }

    /// Runs `steps` on `count` samples of `input` (NCHW floats, `inputSize` per sample) starting
    /// at sample `first`, and writes their outputs (`outputSize` floats each, from `outputBuffer`)
    /// to `output` at the same sample positions.
    func run(_ steps: [Step], input: UnsafePointer<Float>, inputSize: Int, first: Int, count: Int,
             outputBuffer: Int, outputSize: Int, output: UnsafeMutablePointer<Float>) {
        buffers[0].update(from: input + first * inputSize, count: count * inputSize)
        for step in steps { step.run(batch: count, buffers: buffers, scratch: scratch) }
        (output + first * outputSize).update(from: buffers[outputBuffer], count: count * outputSize)
    }

    /// Runs `steps` on the first `count` samples of `input` `warmup + runs` times as `run` does,
    /// timing each step around its `Step.run` (a loop of its own: `run` pays nothing for it).
    ///
    /// - Returns: per step, its wall-clock milliseconds in each of the last `runs` runs.
    func profile(_ steps: [Step], input: UnsafePointer<Float>, inputSize: Int, count: Int, warmup: Int, runs: Int) -> [[Double]] {
        var times = [[Double]](repeating: [], count: steps.count)
        for k in times.indices { times[k].reserveCapacity(runs) }
        for iteration in 0..<(warmup + runs) {
            buffers[0].update(from: input, count: count * inputSize)
            for (k, step) in steps.enumerated() {
                let start = DispatchTime.now().uptimeNanoseconds
                step.run(batch: count, buffers: buffers, scratch: scratch)
                let end = DispatchTime.now().uptimeNanoseconds
                if iteration >= warmup { times[k].append(Double(end - start) / 1e6) }
            }
        }
        return times
    }
}
