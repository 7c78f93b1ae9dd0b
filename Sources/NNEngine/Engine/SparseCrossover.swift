// SparseCrossover: per layer kind, the weight density (fraction of nonzeros) at or below which
// the direct sparse kernel beats the dense kernel that conv would otherwise run, as
// `shears crossover` measured it on these machines (docs/PERFORMANCE.md). The plan runs a conv
// on the sparse kernel only at or below its kind's crossover, so that a pruned model is never
// slower than the dense one.

/// Measured switch points from the dense kernels to the sparse one.
public enum SparseCrossover {
    /// What a conv runs when dense, which decides what the sparse kernel must beat.
    public enum Kind: String, CaseIterable, Sendable {
        /// A conv dense on a Winograd kernel: stride-1 3x3 (F(4x4, 3x3)) or a stride-2 7x7 stem
        /// (F(4x4, 4x4) over its stride phases).
        case winograd
        /// Any other ungrouped conv with a kernel above 1x1, dense on the direct kernel.
        case direct
        /// A 1x1 conv, dense on the pointwise kernel (on maps of 7x7, the direct kernel).
        case pointwise
    }

    /// The crossover density of `kind`.
    public static func density(_ kind: Kind) -> Double {
        switch kind {
        case .winograd: return 0.1
        case .direct: return 0.3
        case .pointwise: return 0.3
        }
    }
}
