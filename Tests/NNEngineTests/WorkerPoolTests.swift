import XCTest
import Foundation
@testable import NNCore
@testable import NNEngine

/// WorkerPool: every index of a `parallelFor` runs exactly once (0, 1, fewer and more indices
/// than threads, many calls in a row, a call from inside a body), `parallelRanges` cuts a count
/// into aligned ranges that cover it once, and pools and Executors released stop their workers.
final class WorkerPoolTests: XCTestCase {
    /// How many times each of `count` indices ran in one `parallelFor`.
    func runs(_ pool: WorkerPool, count: Int) -> [Int] {
        var hits = [Int](repeating: 0, count: count)
        hits.withUnsafeMutableBufferPointer { hits in
            let hits = hits
            pool.parallelFor(count) { hits[$0] += 1 }
        }
        return hits
    }

    func testEveryIndexRunsExactlyOnce() {
        for threads in [1, 2, 3, 5] {
            let pool = WorkerPool(threads: threads)
            XCTAssertEqual(pool.threads, threads)
            for count in [0, 1, 2, 3, 7, 64, 1001] {
                XCTAssertEqual(runs(pool, count: count), [Int](repeating: 1, count: count), "\(threads) threads, \(count) indices")
            }
        }
    }

    func testManyCallsInARowAndNestedCalls() {
        let pool = WorkerPool(threads: 3)
        for round in 0..<2000 {
            let count = round % 9
            XCTAssertEqual(runs(pool, count: count), [Int](repeating: 1, count: count), "round \(round)")
        }
        // A call from inside a body runs inline on that thread; every inner index still runs once.
        var hits = [Int](repeating: 0, count: 4 * 5)
        hits.withUnsafeMutableBufferPointer { hits in
            let hits = hits
            pool.parallelFor(4) { outer in pool.parallelFor(5) { inner in hits[outer * 5 + inner] += 1 } }
        }
        XCTAssertEqual(hits, [Int](repeating: 1, count: 20))
    }

    func testRangesCoverTheCountOnceInAlignedPieces() {
        let pool = WorkerPool(threads: 3)
        for (count, minimum, alignment) in [(0, 1, 16), (5, 1, 16), (100, 1, 16), (1001, 1, 1), (1001, 2000, 16), (4099, 1, 8)] {
            var hits = [Int](repeating: 0, count: count)
            var bounds = [Int](repeating: -1, count: 2 * pool.threads * WorkerPool.rangesPerThread)
            var pieces = 0
            let lock = NSLock()
            hits.withUnsafeMutableBufferPointer { hits in
                let hits = hits
                pool.parallelRanges(count, minimum: minimum, alignment: alignment) { range in
                    for k in range { hits[k] += 1 }
                    lock.lock(); bounds[2 * pieces] = range.lowerBound; bounds[2 * pieces + 1] = range.upperBound; pieces += 1; lock.unlock()
                }
            }
            XCTAssertEqual(hits, [Int](repeating: 1, count: count), "\(count) items")
            XCTAssertTrue(count == 0 ? pieces == 0 : count < minimum ? pieces == 1 : (1...pool.threads * WorkerPool.rangesPerThread).contains(pieces), "\(count) items: \(pieces) ranges")
            for k in 0..<pieces {
                XCTAssertTrue(bounds[2 * k] % alignment == 0, "\(count) items: a range starts at \(bounds[2 * k])")
            }
        }
    }

    /// Threads of this process (Linux), or nil where /proc is not there.
    func threadCount() -> Int? {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task"))?.count
    }

    func testReleasedPoolsAndExecutorsStopTheirWorkers() throws {
        let before = threadCount()
        for _ in 0..<200 {
            let pool = WorkerPool(threads: 4)
            _ = runs(pool, count: 10)
        }
        var graph = GraphBuilder()
        graph.add("act", .relu, graph.input)
        let model = Model(architecture: "t", graph: graph.graph, stateDict: StateDict())
        for _ in 0..<100 {
            let executor = try Executor(model: model, input: [3, 4, 4], maxBatch: 1, threads: 3)
            _ = try executor.run(Tensor(shape: [1, 3, 4, 4], scalars: [Float](repeating: -1, count: 48)))
        }
        if let before, let after = threadCount() {
            XCTAssertLessThanOrEqual(after, before + 2, "workers left running")
        }
    }
}
