// SampleChunks: a batch cut into a fixed number of contiguous runs of samples that a conv's
// forward and backward process concurrently, with OpenBLAS on one thread inside each (its own
// threads would only spin against ours). The cut depends on the batch alone, not on the cores,
// so the weight gradient, summed chunk by chunk in chunk order, is the same on every machine.

import NNEngine

struct SampleChunks {
    /// Chunks a batch is cut into at most: enough for eight cores. Each chunk keeps its own
    /// im2col matrix and share of the weight gradient while it runs.
    static let maximumCount = 8

    let batch: Int

    /// `min(batch, maximumCount)`.
    var count: Int { min(batch, Self.maximumCount) }

    /// The samples of chunk `index`: `index·N/count ..< (index + 1)·N/count`.
    func samples(_ index: Int) -> Range<Int> { index * batch / count ..< (index + 1) * batch / count }

    /// Runs `body(index)` once for every chunk, concurrently on `trainingPool`, with OpenBLAS on
    /// one thread; returns when all have run.
    func forEach(_ body: (Int) -> Void) {
        Executor.withSingleThreadedBLAS { trainingPool.parallelFor(count, body) }
    }
}
