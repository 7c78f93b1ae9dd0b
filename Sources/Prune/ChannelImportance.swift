// ChannelImportance: how ChannelPruner ranks the channels of a space before removing the
// least important: the L1 or L2 norm of each producer's filter (torch's `ln_structured(n=1
// or 2, dim=0)` ranking for a one-producer space), or the |gamma| of the BatchNorm that
// reads each producer (network slimming, Liu et al. 2017), each summed over the space's
// producers (several where residual adds join them). BN scale is refused, naming the layer,
// where a producer is not read by a BatchNorm alone (no BN after it, a BN without weight,
// or the conv's output also read elsewhere): gamma is then not the channel's scale.

import NNCore

/// The score each output channel of a channel space is ranked by (larger: kept first).
public enum ChannelImportance: String, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    /// `Σ_p Σ |w_p[c, ...]|`: the L1 norm of channel c's filter in each producer p.
    case l1
    /// `Σ_p sqrt(Σ w_p[c, ...]²)`: the L2 norm of channel c's filter in each producer p.
    case l2
    /// `Σ_p |γ_p[c]|`: the scale of the BatchNorm reading producer p (network slimming).
    case batchNormScale = "bn-scale"

    /// The name the CLI's `--importance` takes: "l1", "l2", "bn-scale".
    public var description: String { rawValue }

    /// The importance of each of the space's `channels` channels, in double precision
    /// summed over its producers and rounded once to Float (the values torch.topk ranks).
    ///
    /// - Parameter consumers: `model.graph.consumers`.
    func scores(of space: ChannelSpace, in model: Model, channels: Int, consumers: [[Int]]) throws -> [Float] {
        var sums = [Double](repeating: 0, count: channels)
        for p in space.producers {
            let name = model.graph.nodes[p].name
            switch self {
            case .l1, .l2:
                let w = model.stateDict.tensor("\(name).weight")!
                let slices = ChannelSlices(shape: w.shape, dim: 0)
                for c in 0..<channels {
                    sums[c] += StructuredMask.norm(slices.elements(of: c).map { w.scalars[$0] }, n: self == .l1 ? 1 : 2)
                }
            case .batchNormScale:
                let gamma = try Self.batchNormScale(of: p, in: model, channels: channels, consumers: consumers)
                for c in 0..<channels { sums[c] += Double(abs(gamma[c])) }
            }
        }
        return sums.map { Float($0) }
    }

    /// The weight γ `[C]` of the BatchNorm that alone reads producer `p`'s output.
    static func batchNormScale(of p: Int, in model: Model, channels: Int, consumers: [[Int]]) throws -> [Float] {
        let name = model.graph.nodes[p].name
        let wayOut = "rank its channels by importance l1 or l2, or exclude the layer"
        guard consumers[p].count == 1, case .batchNorm = model.graph.nodes[consumers[p][0]].op else {
            let readers = consumers[p].map { "'\(model.graph.nodes[$0].name)'" }.joined(separator: ", ")
            throw PruneError.unsupportedGraph("bn-scale: '\(name)' is not read by a BatchNorm alone (read by \(readers.isEmpty ? "nothing" : readers)); \(wayOut)")
        }
        let bn = model.graph.nodes[consumers[p][0]].name
        guard let gamma = model.stateDict.tensor("\(bn).weight"), gamma.shape == [channels] else {
            throw PruneError.unsupportedGraph("bn-scale: BatchNorm '\(bn)' after '\(name)' has no weight of \(channels) channels (affine=False?); \(wayOut)")
        }
        return gamma.scalars
    }
}
