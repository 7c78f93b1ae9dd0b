// ConvolutionRuns: a chunk's samples cut into runs whose matrices sit side by side in one GEMM
// per group (tiny maps make per-sample GEMMs of a few columns), and the GEMM's right-hand side
// for a run: the samples' im2col matrices, or a pointwise conv's input planes.

extension ConvolutionGeometry {
    /// Floats a run's side-by-side im2col matrix may hold; a sample whose own matrix is larger runs alone.
    static let runColumnBudget = 1 << 20

    /// Samples a run holds at most: `⌊runColumnBudget / (columnRows · outPlane)⌋`, at least one.
    var runLength: Int { max(1, Self.runColumnBudget / max(1, columnRows * outPlane)) }

    /// `samples` cut into runs of `runLength` samples (the last one shorter).
    func runs(_ samples: Range<Int>) -> [Range<Int>] {
        stride(from: samples.lowerBound, to: samples.upperBound, by: runLength).map { $0 ..< min($0 + runLength, samples.upperBound) }
    }

    /// Floats of the largest side-by-side matrix `rows · run · outPlane` a run of `samples` needs.
    func runScratch(rows: Int, _ samples: Range<Int>) -> Int {
        rows * min(runLength, samples.count) * outPlane
    }

    /// The right-hand side of group `group`'s GEMM for the samples `run`, `[columnRows,
    /// run.count · outPlane]`: their im2col matrices side by side in `cols`, or for a pointwise
    /// conv their input planes (`x` itself for one sample, gathered into `cols` for several);
    /// `scratch` holds `columnScratch` floats.
    func columns(of x: UnsafePointer<Float>, _ run: Range<Int>, group: Int, into cols: UnsafeMutablePointer<Float>,
                 scratch: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
        let width = run.count * outPlane, first = x + (run.lowerBound * inChannels + group * groupInChannels) * inPlane
        if isPointwise {
            if run.count == 1 { return first }
            gatherPlanes(first, channels: groupInChannels, samples: run.count, sampleStride: inChannels * inPlane, plane: inPlane, into: cols)
        } else {
            for i in 0..<run.count {
                im2col(first + i * inChannels * inPlane, into: cols + i * outPlane, rowLength: width, scratch: scratch)
            }
        }
        return UnsafePointer(cols)
    }
}
