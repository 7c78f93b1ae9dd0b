// Step+Elementwise: the element-wise and per-channel steps' loops (activation, add, mul,
// channel affine with its fused activation, concat). A single image's step is cut into
// contiguous ranges (of floats, or of planes) that the lane's WorkerPool threads claim, when it
// has at least `Step.splitElements` floats; the loops are plain pointer loops that the compiler
// vectorizes (sigmoid and SiLU: CKernels' `shears_activate`).

import CKernels

extension Step {
    /// Floats an element-wise step must have to be split over the threads: below it the
    /// hand-out (~1-2 µs) costs more than the second thread saves.
    static let splitElements = 1 << 14

    /// `body(range)` over 0..<count items of `itemSize` floats each: split over `pool` when the
    /// items hold at least `splitElements` floats, else inline.
    static func forRanges(_ count: Int, itemSize: Int = 1, pool: WorkerPool?, _ body: (Range<Int>) -> Void) {
        let minimum = (splitElements + itemSize - 1) / max(itemSize, 1)
        if let pool { pool.parallelRanges(count, minimum: minimum, alignment: itemSize == 1 ? 16 : 1, body) } else if count > 0 { body(0..<count) }
    }

    /// `y = a + b` (then `epilogue`) over `count` floats.
    static func add(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int,
                    epilogue: Activation?, pool: WorkerPool?) {
        forRanges(count, pool: pool) { range in
            switch epilogue {
            case nil: for k in range { y[k] = a[k] + b[k] }
            case .relu?: for k in range { y[k] = max(a[k] + b[k], 0) }
            case let activation?:
                for k in range { y[k] = a[k] + b[k] }
                activation.apply(y + range.lowerBound, y + range.lowerBound, count: range.count)
            }
        }
    }

    /// `y = a · b` over `count` floats.
    static func mul(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int, pool: WorkerPool?) {
        forRanges(count, pool: pool) { range in for k in range { y[k] = a[k] * b[k] } }
    }

    /// `y[p, k] = epilogue(x(p)[k] · scale(p) + shift(p))` over `planes` planes of `spatial`
    /// floats, plane p read from `x(p)` (its first float) and written at `y + p · spatial`; a
    /// nil shift adds nothing (a squeeze-excite gate). Each plane is activated while in L1.
    static func planeAffine(planes: Int, spatial: Int, x: (Int) -> UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                            scale: (Int) -> Float, shift: ((Int) -> Float)?, epilogue: Activation?, pool: WorkerPool?) {
        forRanges(planes, itemSize: spatial, pool: pool) { range in
            for plane in range {
                let a = scale(plane), source = x(plane), target = y + plane * spatial
                if let shift {
                    let b = shift(plane)
                    if epilogue == .relu {
                        for k in 0..<spatial { target[k] = max(source[k] * a + b, 0) }
                        continue
                    }
                    for k in 0..<spatial { target[k] = source[k] * a + b }
                } else {
                    for k in 0..<spatial { target[k] = source[k] * a }
                }
                epilogue?.apply(target, target, count: spatial)
            }
        }
    }

    /// Per sample, the blocks of buffers `sources` (`sizes[k]` floats each) one after the other
    /// into buffer `destination`; the copy is split by ranges of the destination.
    static func concat(sizes: [Int], sources: [Int], buffers: [UnsafeMutablePointer<Float>], destination: Int, batch: Int,
                       pool: WorkerPool?) {
        let total = sizes.reduce(0, +), y = buffers[destination]
        forRanges(batch * total, pool: pool) { range in
            var offset = 0
            for n in 0..<batch {
                for (size, source) in zip(sizes, sources) {
                    let first = max(offset, range.lowerBound), end = min(offset + size, range.upperBound)
                    if first < end { (y + first).update(from: buffers[source] + n * size + (first - offset), count: end - first) }
                    offset += size
                }
            }
        }
    }
}

extension Activation {
    /// `y[k] = f(x[k])` for k < count (y may be x), split over `pool` when large enough.
    func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int, pool: WorkerPool?) {
        Step.forRanges(count, pool: pool) { range in
            apply(x + range.lowerBound, y + range.lowerBound, count: range.count)
        }
    }

    /// `y[k] = f(x[k])` for k < count on this thread, one loop per kind so each vectorizes;
    /// sigmoid and SiLU in place by `shears_activate` (a vector exp).
    func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .sigmoid, .silu:
            if UnsafePointer(y) != x { y.update(from: x, count: count) }
            shears_activate(y, Int64(count), kernelActivation!)
        case .relu: for k in 0..<count { y[k] = max(x[k], 0) }
        case .relu6: for k in 0..<count { y[k] = min(max(x[k], 0), 6) }
        case .leaky(let slope): for k in 0..<count { let v = x[k]; y[k] = v < 0 ? v * slope : v }
        case .clip(let lower, let upper): for k in 0..<count { y[k] = min(max(x[k], lower), upper) }
        case .hardSwish: for k in 0..<count { let v = x[k]; y[k] = v * min(max(v + 3, 0), 6) / 6 }
        default: for k in 0..<count { y[k] = apply(x[k]) }
        }
    }
}
