// PruningMethod: the pruning methods a Pruner applies, and whether each is structured.

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
    /// Physical removal of output channels (ChannelPruner), shapes shrink.
    case channel

    /// Structured methods select convolutions only.
    public var isStructured: Bool {
        switch self {
        case .ln, .channel: return true
        case .l1, .random, .globalL1: return false
        }
    }
}
