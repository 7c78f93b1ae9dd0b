// ExecutorLane: one thread's share of an Executor: its own node buffers and convolution
// scratch, sized for `capacity` samples, over which the shared steps run.

import NNCore
import Foundation

/// Buffers and scratch for up to `capacity` samples; the steps themselves are shared.
final class ExecutorLane {
    let buffers: [UnsafeMutablePointer<Float>]
    let scratch: UnsafeMutablePointer<Float>

    /// - Parameters:
    ///   - bufferSampleSizes: per-sample floats of each plan buffer.
    ///   - scratchSize: floats of convolution scratch for `capacity` samples.
    init(capacity: Int, bufferSampleSizes: [Int], scratchSize: Int) {
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
    /// to `output` at the same sample positions. Steps split their work over `pool` when given.
    func run(_ steps: [Step], input: UnsafePointer<Float>, inputSize: Int, first: Int, count: Int,
             outputBuffer: Int, outputSize: Int, output: UnsafeMutablePointer<Float>, pool: WorkerPool?) {
        load(input, inputSize: inputSize, first: first, count: count)
        for step in steps { run(step, count: count, pool: pool) }
        (output + first * outputSize).update(from: buffers[outputBuffer], count: count * outputSize)
    }

    /// Copies `count` samples of `input` (`inputSize` floats each) from sample `first` into the
    /// input buffer.
    func load(_ input: UnsafePointer<Float>, inputSize: Int, first: Int, count: Int) {
        buffers[0].update(from: input + first * inputSize, count: count * inputSize)
    }

    /// Runs one step on the lane's first `count` samples, its work split over `pool` when given.
    func run(_ step: Step, count: Int, pool: WorkerPool?) {
        step.run(batch: count, buffers: buffers, scratch: scratch, pool: pool)
    }
}
