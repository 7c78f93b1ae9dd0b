// ConvStep+Polyphase: a dense stride-2 7x7 (or 8x8) conv, the stem of ResNets and of the
// homework's student, as Winograd F(4x4, 4x4) over its four stride phases
// (polyphase_winograd.h): about 12 multiplies per output and channel pair instead of 49. One sample
// at a time: the phase planes are filled once, then the output rows are computed (a single
// image's rows split over `outputSplits` threads), with the bias, ReLU and a fused max pool in
// the kernel's store.

import CKernels

extension ConvStep {
    /// Whether the conv may run as polyphase Winograd: ungrouped, stride 2, undilated, 7 or 8
    /// taps each way.
    var polyphaseEligible: Bool { groups == 1 && shears_polyphase_applies(window) != 0 }

    /// The filters transformed by `shears_polyphase_filter`.
    func polyphaseFilters() -> [Float] {
        var filters = [Float](repeating: 0, count: Int(shears_polyphase_filter_size(Int32(outC), Int32(inC))))
        weight.withUnsafeBufferPointer { w in
            filters.withUnsafeMutableBufferPointer { shears_polyphase_filter(w.baseAddress!, Int32(outC), Int32(inC), window, $0.baseAddress!) }
        }
        return filters
    }

    private var polyphaseSourceSize: Int { Int(shears_polyphase_source_size(Int32(inC), window)) }

    /// Floats of one thread's kernel scratch.
    private func polyphasePartSize(_ pool: FusedPool?) -> Int {
        withPoolWindow(pool) { Int(shears_polyphase_scratch_size(Int32(outC), Int32(inC), window, $0)) }
    }

    /// Scratch: the phase planes, then one kernel scratch per thread.
    func polyphaseScratchSize(pool: FusedPool?) -> Int { polyphaseSourceSize + polyphasePartSize(pool) * outputSplits }

    /// `y = conv(x)` for `batch` samples, bias and ReLU fused, and `pool` when given (y then
    /// holds the pooled maps).
    func runPolyphase(_ filters: [Float], pool: FusedPool?, batch: Int, x: UnsafeMutablePointer<Float>,
                      y: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        let source = scratch, parts = scratch + polyphaseSourceSize, partSize = polyphasePartSize(pool)
        let relu = reluFlag, rows = Int(pool?.window.out_h ?? Int32(outH))
        let splits = batch == 1 ? min(outputSplits, rows) : 1
        filters.withUnsafeBufferPointer { u in
            bias.withUnsafeBufferPointer { b in
                withPoolWindow(pool) { poolWindow in
                    for n in 0..<batch {
                        shears_polyphase_source(x + n * inputSize, Int32(inC), window, source)
                        let yn = y + n * (pool?.size ?? convSize)
                        func run(_ part: Int) {
                            shears_polyphase_conv(source, u.baseAddress!, b.baseAddress!, Int32(outC), Int32(inC), window, poolWindow,
                                                  Int32(part * rows / splits), Int32((part + 1) * rows / splits), relu,
                                                  parts + part * partSize, yn)
                        }
                        parallel(splits, run)
                    }
                }
            }
        }
    }

    /// `body` given a pointer to the pool's window, or nil without a pool.
    private func withPoolWindow<R>(_ pool: FusedPool?, _ body: (UnsafePointer<shears_window>?) -> R) -> R {
        guard var window = pool?.window else { return body(nil) }
        return withUnsafePointer(to: &window) { body($0) }
    }
}
