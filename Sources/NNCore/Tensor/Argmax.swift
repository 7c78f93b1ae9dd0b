// Argmax: the index of each row's largest logit with torch.argmax's order for NaN and ties,
// shared by evaluation (predictions) and training (a batch's correct count).

/// Index of the largest logit in each row of `[N, K]` logits, as `torch.argmax(logits, 1)`:
/// NaN is larger than every number (the first NaN of a row wins, so a row with a NaN predicts
/// it, as PyTorch does), +inf larger than every finite value, and ties go to the lower index.
public func argmaxRows(_ logits: Tensor) -> [Int] {
    precondition(logits.rank == 2, "argmaxRows expects [N, K] logits, got \(logits.shape)")
    let k = logits.shape[1]
    return logits.scalars.withUnsafeBufferPointer { scalars in
        (0..<logits.shape[0]).map { n in
            let row = n * k
            var best = 0
            for j in 1..<max(k, 1) where torchGreater(scalars[row + j], than: scalars[row + best]) { best = j }
            return best
        }
    }
}

/// Whether `a`, at a higher index than `b`, replaces `b` as the maximum in torch's reductions
/// (`GreaterOrNan` in ATen's SharedReduceOps.h): `a` is NaN and `b` is not, or both are numbers
/// and `a > b`. An equal value or a later NaN never replaces, so ties and NaNs go to the lower index.
@inline(__always)
func torchGreater(_ a: Float, than b: Float) -> Bool {
    b.isNaN ? false : (a.isNaN || a > b)
}
