// ParallelRanges: the training engine's threads (one persistent WorkerPool, the engine's, with a
// thread per core) and the loop the layers spread over them: items cut into contiguous ranges
// (the pool's `parallelRanges`), the ranges run concurrently. Each item's arithmetic is the same
// wherever it runs, so a layer that gives each item its own outputs (a plane, a channel)
// computes exactly what a serial loop does.

import Foundation
import NNEngine

/// The pool every training loop runs on: its workers spin for a few µs after a call, so the
/// many short loops of a step (a BatchNorm, a ReLU) do not each pay a thread wake-up.
let trainingPool = WorkerPool(threads: ProcessInfo.processInfo.activeProcessorCount)

/// Elementary operations below which a loop runs inline: handing out the ranges costs more.
private let minimumParallelWork = 1 << 14

/// Runs `body(range)` over `0 ..< count` cut into contiguous ranges, concurrently on
/// `trainingPool` (`WorkerPool.parallelRanges`), inline when `count · work`, the whole loop's
/// elementary operations, is small.
func forEachRangeInParallel(_ count: Int, work: Int, _ body: (Range<Int>) -> Void) {
    let work = max(work, 1)
    trainingPool.parallelRanges(count, minimum: (minimumParallelWork + work - 1) / work, alignment: 1, body)
}
