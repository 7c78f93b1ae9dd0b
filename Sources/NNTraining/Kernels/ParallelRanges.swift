// ParallelRanges: the loop the layers spread over the cores: items cut into contiguous ranges,
// the ranges run concurrently. Each item's arithmetic is the same wherever it runs, so a layer
// that gives each item its own outputs (a plane, a channel) computes exactly what a serial loop does.

import Dispatch
import Foundation

/// Ranges per core: threads take them as they come, so one descheduled thread (a busy machine)
/// leaves its ranges to the others.
private let rangesPerCore = 4

/// Elementary operations below which a loop runs inline: waking the cores costs more.
private let minimumParallelWork = 1 << 15

/// Runs `body(range)` over `0 ..< count` cut into contiguous ranges, concurrently over the
/// cores (inline when `count · work`, the whole loop's elementary operations, is small).
func forEachRangeInParallel(_ count: Int, work: Int, _ body: (Range<Int>) -> Void) {
    let parts = min(count, ProcessInfo.processInfo.activeProcessorCount * rangesPerCore)
    guard parts > 1, count.multipliedReportingOverflow(by: max(work, 1)).partialValue >= minimumParallelWork else {
        if count > 0 { body(0..<count) }
        return
    }
    DispatchQueue.concurrentPerform(iterations: parts) { part in
        body(part * count / parts ..< (part + 1) * count / parts)
    }
}
