// ConvStep+Winograd: a dense stride-1 3x3 conv as Winograd F(4x4, 3x3) (winograd43.h): 36
// multiplies per 4x4 outputs and input-output channel pair instead of 144. The tiles of all
// the lane's samples are numbered one after the other and split into equal chunks of at most
// `winogradChunk`, so the transformed inputs V and products M of a chunk stay in cache and a
// small map (7x7: four tiles a sample) still gives the GEMMs a useful width: per chunk of n
// tiles, the input transform into V [36][in][n], 36 GEMMs M[ξ] (out x n) = U[ξ] (out x in) ·
// V[ξ] (in x n), and the output transform (plus bias and ReLU) into y. Rows of V and M are
// an odd number of floats apart (n | 1): a power-of-two stride makes the transforms' strided
// accesses collide in cache (1.6x slower at n = 128).

import CKernels
import COpenBLAS

extension ConvStep {
    /// Most tiles per chunk (measured: 128 is 3-6% slower at 56x56 and 28x28, 64 about 10%).
    static let winogradChunk = 256
    /// Fewest tiles a lane's chunk must hold for Winograd to beat the direct kernel (a 7x7 map
    /// has 4 tiles a sample: at one sample the 36 GEMMs are too narrow, at four 1.5x faster).
    static let winogradMinimumTiles = 16
    /// Most transformed-filter floats (`36·in·out`) for Winograd on fewer tiles than
    /// `winogradMinimumTiles`: 2 MiB, in L2. The 36 narrow GEMMs cost about a pass over the
    /// filters; while those stay in cache they still beat the direct kernel (one 7x7 image, one
    /// core: DenseNet's 128→32 3.8x, 128→128 and 256→64 2.9-3.5x; 256→256, 9 MiB, 0.7x).
    static let winogradSmallFilters = 1 << 19
    /// Fewest input and output channels for Winograd: its transforms cost per channel what a
    /// few dozen channels' GEMM work does.
    static let winogradMinimumChannels = 32

    /// 4x4 output tiles of one sample.
    var winogradTiles: Int { ((outH + 3) / 4) * ((outW + 3) / 4) }

    /// Chunks for `total` tiles: as few as `winogradChunk` allows, of equal size.
    private static func chunkCount(_ total: Int) -> Int { (total + winogradChunk - 1) / winogradChunk }

    /// The most tiles a chunk can hold for lanes of `capacity` samples (a chunk is never
    /// wider than `winogradChunk`, nor than all the tiles of a lane).
    private var chunkTiles: Int { min(Self.winogradChunk, winogradTiles * capacity) }

    /// Scratch: V and M of one chunk, rows `chunkTiles | 1` floats apart.
    var winogradScratchSize: Int { 36 * (inC + outC) * (chunkTiles | 1) }

    /// The transformed filters `U [36][out][in]`.
    func winogradFilters() -> [Float] {
        var u = [Float](repeating: 0, count: 36 * outC * inC)
        weight.withUnsafeBufferPointer { w in
            u.withUnsafeMutableBufferPointer { shears_winograd43_filter(w.baseAddress!, Int32(outC), Int32(inC), $0.baseAddress!) }
        }
        return u
    }

    /// The conv of `batch` samples, chunk by chunk. A single image's chunk is shared by
    /// `outputSplits` threads: each transforms a share of its tiles and runs a share of its
    /// 36 GEMMs.
    func runWinograd(_ u: [Float], batch: Int, x: UnsafeMutablePointer<Float>, y: UnsafeMutablePointer<Float>,
                     scratch: UnsafeMutablePointer<Float>) {
        let tiles = winogradTiles, total = batch * tiles
        let chunk = (total + Self.chunkCount(total) - 1) / Self.chunkCount(total)
        let v = scratch, m = scratch + 36 * inC * (chunk | 1)
        let relu = reluFlag
        let parts = batch == 1 ? outputSplits : 1
        func parallel(_ body: (Int) -> Void) { self.parallel(parts, body) }
        u.withUnsafeBufferPointer { u in
            bias.withUnsafeBufferPointer { b in
                var start = 0
                while start < total {
                    let n = min(chunk, total - start), ld = n | 1
                    /// Calls `body(sample, first tile, count, column)` for part p's tiles of the chunk,
                    /// as runs within one sample (no allocation: this is the hot path).
                    func forEachRun(_ p: Int, _ body: (Int, Int, Int, Int) -> Void) {
                        var t = start + p * n / parts
                        let end = start + (p + 1) * n / parts
                        while t < end {
                            let sample = t / tiles, first = t % tiles, count = min(tiles - first, end - t)
                            body(sample, first, count, t - start)
                            t += count
                        }
                    }
                    parallel { p in
                        forEachRun(p) { sample, first, count, column in
                            shears_winograd43_input(x + sample * inputSize, Int32(inC), window, Int64(first), Int32(count),
                                                    v, Int64(ld), Int64(column))
                        }
                    }
                    parallel { p in
                        for xi in stride(from: p, to: 36, by: parts) {
                            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(outC), Int32(n), Int32(inC),
                                        1, u.baseAddress! + xi * outC * inC, Int32(inC), v + xi * inC * ld, Int32(ld),
                                        0, m + xi * outC * ld, Int32(ld))
                        }
                    }
                    parallel { p in
                        forEachRun(p) { sample, first, count, column in
                            shears_winograd43_output(m, Int32(outC), window, Int64(first), Int32(count), Int64(ld),
                                                     Int64(column), b.baseAddress!, relu, y + sample * convSize)
                        }
                    }
                    start += n
                }
            }
        }
    }
}
