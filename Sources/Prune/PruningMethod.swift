// PruningMethod: the pruning methods a Pruner applies, and whether each is structured.
// Channel removal carries its ChannelImportance (L1 filter norm, L2, or BatchNorm scale):
// `.channel` alone is the L1 ranking, the method results files have always named "channel".

/// How to choose what to prune.
public enum PruningMethod: Hashable, Sendable {
    /// `prune.l1_unstructured` per layer.
    case l1
    /// `prune.random_unstructured` per layer, seeded (not torch's random stream).
    case random
    /// `prune.global_unstructured` with L1 over every selected layer at once.
    case globalL1
    /// `prune.ln_structured(n=n, dim=0)` per conv: whole filters masked, shapes kept.
    case ln(n: Double)
    /// Physical removal of output channels (ChannelPruner), shapes shrink; channels ranked by `importance`.
    case channel(importance: ChannelImportance)

    /// Channel removal ranked by L1 filter norms. As a pattern, `case .channel` matches every
    /// importance; as a value (and in `==`) it is the L1 one: test `channelImportance` for any.
    public static var channel: PruningMethod { .channel(importance: .l1) }

    /// How channel removal ranks channels; nil for the other methods.
    public var channelImportance: ChannelImportance? {
        if case .channel(let importance) = self { return importance }
        return nil
    }

    /// Structured methods select convolutions only.
    public var isStructured: Bool {
        switch self {
        case .ln, .channel: return true
        case .l1, .random, .globalL1: return false
        }
    }
}
