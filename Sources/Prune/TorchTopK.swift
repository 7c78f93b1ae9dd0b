// TorchTopK: which indices `torch.topk` (CPU, float32) returns, including among ties.
// torch's CPU kernel (aten/src/ATen/native/TopKImpl.h) fills a queue of (value, index)
// pairs and runs libstdc++'s `std::partial_sort` when `k * 64 <= n`, otherwise
// `std::nth_element`, with a comparator that looks at the values only (NaN counts as the
// largest). Equal values therefore end up where those algorithms happen to leave them —
// neither the lower nor the higher index first. This file ports the libstdc++ algorithms
// step by step (heap select, introselect with median-of-three, insertion sort) so the
// chosen index *set* is torch's. The order of the returned indices is not torch's.

/// `torch.topk(values, k, largest:).indices` as a set (returned sorted ascending).
enum TorchTopK {
    /// The indices of the `k` largest (or smallest) `values`, chosen as torch's CPU kernel chooses them.
    static func indices(_ values: [Float], k: Int, largest: Bool) -> [Int] {
        guard k > 0 else { return [] }
        var selector = Selector(queue: values.enumerated().map { (Double($0.element), $0.offset) }, largest: largest)
        let n = values.count
        if k * 64 <= n {
            selector.heapSelect(0, k, n)
        } else {
            selector.introselect(0, k - 1, n, depth: 2 * (Int.bitWidth - 1 - n.leadingZeroBitCount))
        }
        return selector.queue[0..<k].map(\.1).sorted()
    }

    /// The libstdc++ algorithms over one queue of (value, original index).
    private struct Selector {
        var queue: [(Double, Int)]
        let largest: Bool

        func less(_ x: (Double, Int), _ y: (Double, Int)) -> Bool {
            largest ? (x.0.isNaN && !y.0.isNaN) || x.0 > y.0 : (!x.0.isNaN && y.0.isNaN) || x.0 < y.0
        }

        mutating func adjustHeap(_ first: Int, _ start: Int, _ length: Int, _ value: (Double, Int)) {
            var hole = start, second = start
            while second < (length - 1) / 2 {
                second = 2 * (second + 1)
                if less(queue[first + second], queue[first + second - 1]) { second -= 1 }
                queue[first + hole] = queue[first + second]
                hole = second
            }
            if length & 1 == 0 && second == (length - 2) / 2 {
                second = 2 * (second + 1)
                queue[first + hole] = queue[first + second - 1]
                hole = second - 1
            }
            var parent = (hole - 1) / 2
            while hole > start && less(queue[first + parent], value) {
                queue[first + hole] = queue[first + parent]
                hole = parent
                parent = (hole - 1) / 2
            }
            queue[first + hole] = value
        }

        mutating func makeHeap(_ first: Int, _ last: Int) {
            let length = last - first
            guard length >= 2 else { return }
            var parent = (length - 2) / 2
            while true {
                adjustHeap(first, parent, length, queue[first + parent])
                if parent == 0 { return }
                parent -= 1
            }
        }

        mutating func heapSelect(_ first: Int, _ middle: Int, _ last: Int) {
            makeHeap(first, middle)
            for i in middle..<last where less(queue[i], queue[first]) {
                let value = queue[i]
                queue[i] = queue[first]
                adjustHeap(first, 0, middle - first, value)
            }
        }

        mutating func moveMedianToFirst(_ result: Int, _ a: Int, _ b: Int, _ c: Int) {
            if less(queue[a], queue[b]) {
                if less(queue[b], queue[c]) { queue.swapAt(result, b) }
                else if less(queue[a], queue[c]) { queue.swapAt(result, c) }
                else { queue.swapAt(result, a) }
            } else if less(queue[a], queue[c]) { queue.swapAt(result, a) }
            else if less(queue[b], queue[c]) { queue.swapAt(result, c) }
            else { queue.swapAt(result, b) }
        }

        mutating func unguardedPartition(_ start: Int, _ end: Int, pivot: Int) -> Int {
            var first = start, last = end
            while true {
                while less(queue[first], queue[pivot]) { first += 1 }
                last -= 1
                while less(queue[pivot], queue[last]) { last -= 1 }
                if !(first < last) { return first }
                queue.swapAt(first, last)
                first += 1
            }
        }

        mutating func insertionSort(_ first: Int, _ last: Int) {
            guard first != last else { return }
            for i in (first + 1)..<last {
                let value = queue[i]
                if less(value, queue[first]) {
                    for j in stride(from: i, to: first, by: -1) { queue[j] = queue[j - 1] }
                    queue[first] = value
                } else {
                    var hole = i
                    while less(value, queue[hole - 1]) {
                        queue[hole] = queue[hole - 1]
                        hole -= 1
                    }
                    queue[hole] = value
                }
            }
        }

        mutating func introselect(_ start: Int, _ nth: Int, _ end: Int, depth: Int) {
            var first = start, last = end, depth = depth
            while last - first > 3 {
                if depth == 0 {
                    heapSelect(first, nth + 1, last)
                    queue.swapAt(first, nth)
                    return
                }
                depth -= 1
                moveMedianToFirst(first, first + 1, first + (last - first) / 2, last - 1)
                let cut = unguardedPartition(first + 1, last, pivot: first)
                if cut <= nth { first = cut } else { last = cut }
            }
            insertionSort(first, last)
        }
    }
}
