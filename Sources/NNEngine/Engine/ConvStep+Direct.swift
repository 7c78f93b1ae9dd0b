// ConvStep+Direct: an ungrouped conv on the register-blocked direct kernels (direct_conv.h),
// dense or sparse, one sample at a time: the sample's padded, phase-split source is filled
// once (unless the conv reads its input directly), then every output channel is computed from
// it. When the whole batch runs on one lane (a single image), the output channels are split
// over `outputSplits` threads that share the source.

import CKernels

extension ConvStep {
    /// Dense packed weights (with a max pool fused into the store), or CSR weights.
    enum DirectWeights {
        case dense([Float], pool: FusedPool?)
        case sparse(SparseWeight)
    }

    /// The dense weights packed for `shears_direct_conv`.
    func packedWeights() -> [Float] {
        var packed = [Float](repeating: 0, count: Int(shears_direct_packed_size(Int32(outC), Int32(inC), window)))
        weight.withUnsafeBufferPointer { w in
            packed.withUnsafeMutableBufferPointer { shears_direct_pack(w.baseAddress!, Int32(outC), Int32(inC), window, $0.baseAddress!) }
        }
        return packed
    }

    private var sourceSize: Int { Int(shears_direct_source_size(Int32(inC), window)) }

    /// Floats of one thread's kernel scratch (panels; with `pool`, the pooled bands too).
    private func partSize(_ pool: FusedPool?) -> Int {
        guard let pool else { return Int(shears_direct_scratch_size(Int32(inC), window)) }
        return Int(shears_direct_conv_max_pool_scratch_size(Int32(inC), window, pool.window))
    }

    /// Scratch: the source, then one kernel scratch per thread.
    func directScratchSize(pool: FusedPool?) -> Int { sourceSize + partSize(pool) * outputSplits }

    /// `y = conv(x)` for `batch` samples (bias and ReLU fused; a max pool too where `weights`
    /// carry one, y then holding the pooled maps).
    func runDirect(_ weights: DirectWeights, batch: Int, x: UnsafeMutablePointer<Float>, y: UnsafeMutablePointer<Float>,
                   scratch: UnsafeMutablePointer<Float>) {
        let relu = reluFlag
        let pool: FusedPool?
        if case .dense(_, let fused) = weights { pool = fused } else { pool = nil }
        let source = scratch, panels = scratch + sourceSize, panelSize = partSize(pool)
        var input = UnsafePointer(x)
        bias.withUnsafeBufferPointer { b in
            forEachSample(batch: batch, alignment: Int(SHEARS_DIRECT_TILE_CHANNELS), prepare: { n in
                let xn = x + n * inputSize
                if sourceSize > 0 { shears_direct_source(xn, Int32(inC), window, source) }
                input = sourceSize > 0 ? UnsafePointer(source) : UnsafePointer(xn)
            }, part: { n, part, first, end in
                let yn = y + n * (pool?.size ?? convSize), panel = panels + part * panelSize
                switch weights {
                case .dense(let packed, let pool):
                    packed.withUnsafeBufferPointer {
                        if let pool {
                            shears_direct_conv_max_pool(input, $0.baseAddress!, b.baseAddress!, Int32(outC), Int32(inC), window,
                                                        pool.window, first, end, relu, panel, yn)
                        } else {
                            shears_direct_conv(input, $0.baseAddress!, b.baseAddress!, Int32(outC), Int32(inC), window,
                                               first, end, relu, panel, yn)
                        }
                    }
                case .sparse(let sparse):
                    sparse.withCSR { starts, columns, values in
                        shears_direct_sparse_conv(input, starts, columns, values, b.baseAddress!, Int32(outC), Int32(inC),
                                                  window, first, end, relu, panel, yn)
                    }
                }
            })
        }
    }

    /// For each sample n < `batch`: `prepare(n)` once, then `part(n, k, first, end)` for each
    /// share k of the output channels [first, end) (or of the `extent` other things split, such
    /// as positions). A single image's shares (`outputSplits` of them, each a multiple of
    /// `alignment`) run concurrently, each on its own scratch; otherwise one share.
    func forEachSample(batch: Int, extent: Int? = nil, alignment: Int, prepare: (Int) -> Void,
                       part: (Int, Int, Int32, Int32) -> Void) {
        let splits = batch == 1 ? outputSplits : 1, total = extent ?? outC
        let share = ((total + splits - 1) / splits + alignment - 1) / alignment * alignment
        for n in 0..<batch {
            prepare(n)
            func run(_ k: Int) {
                let first = min(total, k * share), end = min(total, (k + 1) * share)
                if first < end { part(n, k, Int32(first), Int32(end)) }
            }
            parallel(splits, run)
        }
    }

    /// `body(k)` for k in 0..<count: on the conv's pool when it has one, else in order.
    func parallel(_ count: Int, _ body: (Int) -> Void) {
        if count > 1, let threads { threads.parallelFor(count, body) } else { for k in 0..<count { body(k) } }
    }
}
