// PruneError: every error the Prune module throws, one line each, naming the layer or key.

import NNCore

/// Errors from pruning a model.
public enum PruneError: Error, CustomStringConvertible, Equatable {
    /// The pruning amount is outside [0, 1] (or a count larger than the tensor).
    case invalidAmount(String)
    /// A layer name or glob selected nothing, or names a tensor the model lacks.
    case unknownLayer(String)
    /// A mask or importance tensor does not have its weight's shape, or a weight is not prunable that way.
    case shapeMismatch(String)
    /// The model's graph has a form channel removal cannot follow (names the node).
    case unsupportedGraph(String)

    public var description: String {
        switch self {
        case .invalidAmount(let detail): return "invalid pruning amount: \(detail)"
        case .unknownLayer(let detail): return "unknown layer: \(detail)"
        case .shapeMismatch(let detail): return "shape mismatch: \(detail)"
        case .unsupportedGraph(let detail): return "unsupported graph: \(detail)"
        }
    }
}
