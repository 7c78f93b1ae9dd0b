// StructuredMask: channel masks with torch.nn.utils.prune.ln_structured's semantics.
// `LnStructured.compute_mask`: the Ln norm of every slice along `dim` (over all other
// dims), keep the `channels - round(amount * channels)` largest norms with
// `torch.topk(largest=True)` (ties as torch's CPU kernel breaks them, see TorchTopK),
// zero the rest, and multiply by the earlier mask. Composition (`PruningContainer`,
// structured): only channels whose earlier mask is not all zero take part, and the
// amount is a fraction of those. Norms are computed here from the given (masked) weight;
// torch uses the original weight, which differs only for a channel an earlier
// *unstructured* mask partly zeroed.

import Foundation
import NNCore

/// Structured (whole-slice) pruning masks.
public enum StructuredMask {
    /// `prune.ln_structured(amount, n, dim)`: zero the slices along `dim` with the smallest Ln norms.
    ///
    /// `norm[c] = (Σ |w[..., c, ...]|^n)^(1/n)` over every index but `dim`; n = .infinity is the max.
    /// - Parameters:
    ///   - weight: at least 2-D, e.g. a conv weight `[out, in, kh, kw]` with dim 0 for filters.
    ///   - n: the norm's order (1, 2, …, or `.infinity`).
    ///   - existing: the earlier mask (all ones when nil).
    /// - Returns: the combined mask, `weight`'s shape.
    public static func ln(weight: Tensor, amount: PruningAmount, n: Double, dim: Int, existing: Tensor? = nil, name: String = "weight") throws -> Tensor {
        guard weight.rank >= 2 else {
            throw PruneError.shapeMismatch("\(name): structured pruning needs at least 2 dims, got \(weight.shape)")
        }
        guard dim >= 0, dim < weight.rank else {
            throw PruneError.shapeMismatch("\(name): invalid dim \(dim) for a tensor of size \(weight.shape)")
        }
        var mask = try UnstructuredMask.startingMask(weight, existing, name)
        let slices = ChannelSlices(shape: weight.shape, dim: dim)
        let alive = (0..<slices.channels).filter { c in slices.elements(of: c).contains { mask.scalars[$0] != 0 } }
        let toPrune = try amount.units(of: alive.count, name: name)
        guard toPrune > 0 else { return mask }
        let norms = alive.map { Float(norm(slices.elements(of: $0).map { weight.scalars[$0] }, n: n)) }
        let kept = Set(TorchTopK.indices(norms, k: alive.count - toPrune, largest: true).map { alive[$0] })
        for c in alive where !kept.contains(c) {
            for i in slices.elements(of: c) { mask.scalars[i] = 0 }
        }
        return mask
    }

    /// The Ln norm of `values` in double precision.
    static func norm(_ values: [Float], n: Double) -> Double {
        if n == .infinity { return values.reduce(0) { max($0, Double(abs($1))) } }
        if n == 1 { return values.reduce(0) { $0 + Double(abs($1)) } }
        if n == 2 { return values.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot() }
        let sum = values.reduce(0.0) { $0 + Foundation.pow(Double(abs($1)), n) }
        return Foundation.pow(sum, 1 / n)
    }
}

/// The flat element indices of each slice `c` along one dim of a row-major shape.
struct ChannelSlices {
    let channels: Int
    private let inner: Int
    private let outer: Int

    init(shape: [Int], dim: Int) {
        channels = shape[dim]
        inner = shape[(dim + 1)...].reduce(1, *)
        outer = shape[..<dim].reduce(1, *)
    }

    /// Flat indices of slice `c`.
    func elements(of c: Int) -> [Int] {
        (0..<outer).flatMap { (o: Int) -> Range<Int> in
            let start = (o * channels + c) * inner
            return start..<(start + inner)
        }
    }
}
