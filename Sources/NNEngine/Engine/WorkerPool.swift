// WorkerPool: an Executor's (and the training engine's) persistent threads (CKernels' worker_pool.h): `threads − 1`
// workers and the caller share the indices of a `parallelFor`. Workers spin briefly after each
// call, so the steps of one image hand out their shares for ~1-2 µs a step instead of the tens
// of µs of waking GCD threads; then they sleep. The pool stops its workers when released.

import CKernels

/// A pool of `threads` threads (the caller included); a pool of one runs everything inline.
package final class WorkerPool: @unchecked Sendable {
    private let pool: OpaquePointer?
    /// Threads a `parallelFor` runs on, the caller included.
    package let threads: Int

    /// A pool of `threads` threads; one thread (or workers that cannot start) runs inline.
    package init(threads: Int) {
        pool = threads > 1 ? shears_pool_create(Int32(threads)) : nil
        self.threads = pool.map { Int(shears_pool_threads($0)) } ?? 1
    }

    deinit { shears_pool_destroy(pool) }

    /// Runs `body(i)` for every i in 0..<count, each exactly once, on the pool's threads;
    /// returns when all have run. A call from inside a body (or while another thread's call
    /// runs) runs its indices inline.
    package func parallelFor(_ count: Int, _ body: (Int) -> Void) {
        guard let pool, count > 1 else {
            for index in 0..<max(count, 0) { body(index) }
            return
        }
        withoutActuallyEscaping(body) { body in
            var task = body
            withUnsafeMutablePointer(to: &task) { context in
                shears_pool_parallelize(pool, { context, index in
                    context!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(Int(index))
                }, context, Int64(count))
            }
        }
    }

    /// Ranges a `parallelRanges` cuts its items into per thread: threads claim them as they
    /// come, so a thread the OS has descheduled (a busy machine) leaves its ranges to the
    /// others instead of holding up the call.
    static let rangesPerThread = 4

    /// `body(range)` over `count` items cut into `rangesPerThread` contiguous ranges per thread
    /// (bounds multiples of `alignment`), or over 0..<count inline when there are fewer than
    /// `minimum` items.
    package func parallelRanges(_ count: Int, minimum: Int, alignment: Int = 16, _ body: (Range<Int>) -> Void) {
        guard threads > 1, count >= minimum else {
            if count > 0 { body(0..<count) }
            return
        }
        let parts = threads * Self.rangesPerThread
        let share = ((count + parts - 1) / parts + alignment - 1) / alignment * alignment
        parallelFor(parts) { k in
            let first = min(count, k * share), end = min(count, first + share)
            if first < end { body(first..<end) }
        }
    }
}
