// PruningMethod+Names: each method's name, the one spelling the CLI takes and results files
// store: "l1", "random", "global-l1", "ln" (L2 structured), "ln1", "ln<n>", "channel" (ranked
// by L1 filter norms, as ever), "channel-l2" and "channel-bn-scale" (ranked by L2 filter norms,
// by BatchNorm |gamma|): "channel-<importance>" for every importance but the default.

import Foundation

extension PruningMethod: CustomStringConvertible {
    /// The names of the methods for help texts (`ln<n>` takes any order n > 0, or `inf`).
    public static let names = ["l1", "random", "global-l1", "ln", "ln1", "ln2", "channel", "channel-l2", "channel-bn-scale"]

    /// The method's name: `ln(n: 2)` is "ln", another order n is "ln<n>" ("ln1", "ln3", "lninf");
    /// `channel(importance: .l1)` is "channel", another importance i is "channel-<i>".
    public var description: String {
        switch self {
        case .l1: return "l1"
        case .random: return "random"
        case .globalL1: return "global-l1"
        case .channel(let importance) where importance == .l1: return "channel"
        case .channel(let importance): return "channel-\(importance)"
        case .ln(let n) where n == 2: return "ln"
        case .ln(let n) where n == .infinity: return "lninf"
        case .ln(let n): return "ln" + String(format: "%g", n)
        }
    }

    /// The method `name` names (its `description`, or "global" for global-l1, "ln2" for ln);
    /// nil for any other text.
    public init?(name: String) {
        switch name {
        case "l1": self = .l1
        case "random": self = .random
        case "global-l1", "global": self = .globalL1
        case "channel": self = .channel
        case "channel-l2": self = .channel(importance: .l2)
        case "channel-bn-scale": self = .channel(importance: .batchNormScale)
        case "ln": self = .ln(n: 2)
        case "lninf": self = .ln(n: .infinity)
        default:
            guard name.hasPrefix("ln"), let n = Double(name.dropFirst(2)), n.isFinite, n > 0 else { return nil }
            self = .ln(n: n)
        }
    }
}
