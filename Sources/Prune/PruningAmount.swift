// PruningAmount: how much to prune, as torch.nn.utils.prune takes it — a float fraction
// in [0, 1] or an integer count — and its conversion to a count of units.

/// A fraction of the units (`amount` as a Python float) or a number of units (a Python int).
public enum PruningAmount: Equatable, Sendable, CustomStringConvertible {
    case fraction(Double)
    case count(Int)

    /// Number of units to prune out of `units`, as `_compute_nparams_toprune` computes it.
    ///
    /// `round(amount * units)` with half-to-even rounding (Python's `round`), the product in
    /// double precision; a count is taken as it is. Throws as `_validate_pruning_amount_init`
    /// and `_validate_pruning_amount` raise: a fraction outside [0, 1], a negative count, or a
    /// count larger than `units`.
    /// - Parameters:
    ///   - units: entries (or channels) still unpruned.
    ///   - name: the tensor, for messages.
    public func units(of units: Int, name: String) throws -> Int {
        switch self {
        case .fraction(let f):
            guard f.isFinite, f >= 0, f <= 1 else {
                throw PruneError.invalidAmount("\(name): amount=\(f) should either be a float in the range [0, 1] or a non-negative integer")
            }
            return Int((f * Double(units)).rounded(.toNearestOrEven))
        case .count(let c):
            guard c >= 0 else {
                throw PruneError.invalidAmount("\(name): amount=\(c) should either be a float in the range [0, 1] or a non-negative integer")
            }
            guard c <= units else {
                throw PruneError.invalidAmount("\(name): amount=\(c) should be smaller than the number of parameters to prune=\(units)")
            }
            return c
        }
    }

    public var description: String {
        switch self {
        case .fraction(let f): return "\(f)"
        case .count(let c): return "\(c)"
        }
    }
}
