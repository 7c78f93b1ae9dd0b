// LayerNormStep: LayerNorm over the channels at every position of a batch of `[C, H, W]`
// maps (torchvision's LayerNorm2d, ConvNeXt's permute → LayerNorm → permute), or over the
// features of `[F]` vectors (spatial 1). Two passes over the channels keep the variance exact
// to float rounding (no E[x²] − E[x]² cancellation); the per-position mean and 1/σ live in
// the lane's scratch, so a batch allocates nothing.

import NNCore

/// A compiled `.layerNorm`: per sample and position p,
/// `y[c, p] = (x[c, p] − μ_p) / √(σ²_p + eps) · w[c] + b[c]`, μ and σ² over the C channels.
struct LayerNormStep {
    let weight: [Float]
    /// `[C]`; zeros for a LayerNorm without bias.
    let bias: [Float]
    let eps: Float
    let channels: Int, spatial: Int
    let source: Int, destination: Int

    /// Floats of scratch: the mean and 1/σ of every position of one sample.
    var scratchSize: Int { 2 * spatial }

    init(name: String, eps: Float, stateDict: StateDict, shape: [Int], source: Int, destination: Int) {
        weight = stateDict.tensor("\(name).weight")!.scalars
        bias = stateDict.tensor("\(name).bias")?.scalars ?? [Float](repeating: 0, count: weight.count)
        self.eps = eps
        channels = shape[0]
        spatial = shape.dropFirst().reduce(1, *)
        self.source = source; self.destination = destination
    }

    /// Normalises the first `batch` samples; the destination may be the source (each output
    /// element is written after the last read of its input element).
    func run(batch: Int, buffers: [UnsafeMutablePointer<Float>], scratch: UnsafeMutablePointer<Float>) {
        let mean = scratch, inverse = scratch + spatial
        let count = Float(channels)
        for n in 0..<batch {
            let x = buffers[source] + n * channels * spatial, y = buffers[destination] + n * channels * spatial
            mean.update(repeating: 0, count: spatial)
            inverse.update(repeating: 0, count: spatial)
            for c in 0..<channels { for p in 0..<spatial { mean[p] += x[c * spatial + p] } }
            for p in 0..<spatial { mean[p] /= count }
            for c in 0..<channels {
                for p in 0..<spatial { let d = x[c * spatial + p] - mean[p]; inverse[p] += d * d }
            }
            for p in 0..<spatial { inverse[p] = 1 / (inverse[p] / count + eps).squareRoot() }
            for c in 0..<channels {
                let w = weight[c], b = bias[c]
                for p in 0..<spatial { y[c * spatial + p] = (x[c * spatial + p] - mean[p]) * inverse[p] * w + b }
            }
        }
    }
}
