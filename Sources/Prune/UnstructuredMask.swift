// UnstructuredMask: element-wise pruning masks with exactly torch.nn.utils.prune's semantics
// (read from torch/nn/utils/prune.py, torch 2.x, and checked against masks it wrote):
//
// - Count: `_compute_nparams_toprune` = `amount` for an int, else `round(amount * n)` in
//   double precision with Python's half-to-even rounding (n = 10: 0.25 → 2, 0.35 → 4,
//   0.05 → 0). `_validate_pruning_amount`: a count larger than n is an error.
// - Composition: calling a pruning function again on a pruned tensor wraps both methods in a
//   `PruningContainer`, whose `compute_mask` hands the new method only the entries whose
//   mask is still 1 (`t[mask == 1]`, row-major order) and writes its partial mask back
//   there. So n is what remains and iterative pruning takes the fraction of what remains:
//   three calls with 0.2 on 1000 entries prune 200, then 160, then 128.
// - L1Unstructured: `torch.topk(torch.abs(t).view(-1), k, largest=False)`; those indices
//   become 0. Ties: torch's CPU topk selects with libstdc++ partial_sort / nth_element on
//   the values alone, so among equal magnitudes the pruned ones are neither the lowest nor
//   the highest indices; `TorchTopK` ports those algorithms and reproduces torch's choice.
// - global_unstructured: the importances (the current, masked weights) and masks of all
//   tensors are concatenated (`parameters_to_vector`, in the order given) and one
//   container/L1 step runs on the concatenation.
// - RandomUnstructured: torch draws `torch.rand_like`; here a seeded SplitMix64 draws the
//   scores, so random masks are reproducible but NOT the masks torch would draw.
//
// Masks are float tensors of 0 and 1 in the weight's shape, as torch's `weight_mask`.

import NNCore

/// Element-wise pruning masks.
public enum UnstructuredMask {
    /// `prune.l1_unstructured`: zero the `amount` smallest-magnitude entries still unpruned.
    ///
    /// - Parameters:
    ///   - weight: the tensor (its current, masked values).
    ///   - existing: the mask from earlier pruning (all ones when nil), in `weight`'s shape.
    ///   - name: the tensor's key, for messages.
    /// - Returns: the combined mask, `weight`'s shape.
    public static func l1(weight: Tensor, amount: PruningAmount, existing: Tensor? = nil, name: String = "weight") throws -> Tensor {
        try globalL1(weights: [weight], amount: amount, existing: existing.map { [$0] }, names: [name])[0]
    }

    /// `prune.random_unstructured` with a seeded generator (not torch's random stream).
    public static func random(weight: Tensor, amount: PruningAmount, existing: Tensor? = nil, seed: UInt64, name: String = "weight") throws -> Tensor {
        var generator = SplitMix64(seed: seed)
        var mask = try startingMask(weight, existing, name)
        let remaining = mask.scalars.indices.filter { mask.scalars[$0] == 1 }
        let k = try amount.units(of: remaining.count, name: name)
        let scores = remaining.map { _ in Float(generator.nextUnit()) }
        for c in TorchTopK.indices(scores, k: k, largest: true) { mask.scalars[remaining[c]] = 0 }
        return mask
    }

    /// `prune.global_unstructured(..., pruning_method=L1Unstructured)` over several tensors.
    ///
    /// - Parameters:
    ///   - weights: the tensors, in the order torch would list them.
    ///   - existing: their masks from earlier pruning (all ones when nil).
    ///   - names: the tensors' keys, for messages (defaults to positions).
    /// - Returns: one mask per weight.
    public static func globalL1(weights: [Tensor], amount: PruningAmount, existing: [Tensor]? = nil, names: [String]? = nil) throws -> [Tensor] {
        let names = names ?? weights.indices.map { "weights[\($0)]" }
        if let existing, existing.count != weights.count {
            throw PruneError.shapeMismatch("\(existing.count) masks for \(weights.count) tensors")
        }
        var masks = try weights.indices.map { try startingMask(weights[$0], existing?[$0], names[$0]) }
        // The unpruned entries of the concatenation, as (tensor, element).
        var remaining: [(Int, Int)] = []
        var importance: [Float] = []
        for (t, mask) in masks.enumerated() {
            for i in mask.scalars.indices where mask.scalars[i] == 1 {
                remaining.append((t, i))
                importance.append(abs(weights[t].scalars[i]))
            }
        }
        let k = try amount.units(of: remaining.count, name: names.joined(separator: ", "))
        for c in TorchTopK.indices(importance, k: k, largest: false) {
            let (t, i) = remaining[c]
            masks[t].scalars[i] = 0
        }
        return masks
    }

    /// `existing`, checked against `weight`'s shape, or all ones.
    static func startingMask(_ weight: Tensor, _ existing: Tensor?, _ name: String) throws -> Tensor {
        guard let existing else { return Tensor(shape: weight.shape, repeating: 1) }
        guard existing.shape == weight.shape else {
            throw PruneError.shapeMismatch("\(name): mask \(existing.shape) for weight \(weight.shape)")
        }
        return existing
    }
}
