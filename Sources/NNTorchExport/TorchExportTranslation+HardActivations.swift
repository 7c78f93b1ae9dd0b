// TorchExportTranslation+HardActivations: hardswish and hardsigmoid as `run_decompositions()`
// writes them, from the pieces of `relu6(x + 3)`: add(x, 3) → clamp(min 0) → clamp(max 6)
// (or one clamp / hardtanh to [0, 6]), then div by 6 (hardsigmoid, `(x + 3)₊₆ / 6`), or mul
// by x and div by 6 (hardswish, `x · (x + 3)₊₆ / 6`). Each piece is held as a pending
// `Value.hardPart` until the last one emits the one Shears op; a piece that anything else
// reads, or a step off the pattern (another constant, another x), leaves it pending, and
// reading a pending piece as a feature map is refused naming that node.

import NNCore

extension TorchExportTranslation {
    /// How far `relu6(x + 3)` has come (see the file comment).
    enum HardStage: Equatable {
        /// `x + 3`.
        case shifted
        /// `max(x + 3, 0)`.
        case clampedBelow
        /// `min(max(x + 3, 0), 6)`.
        case clamped
        /// `x · min(max(x + 3, 0), 6)`.
        case timesX
    }

    /// What one node of the pattern does: another pending piece, or the finished op on node `x`.
    enum HardStep {
        case pending(Value)
        case emit(Op, x: Int)
    }

    /// The step `op` takes with `arguments` when it continues a decomposed hardswish or
    /// hardsigmoid (or starts one: an add of 3 to a feature map); nil when it does not.
    mutating func hardActivationStep(_ op: String, _ arguments: [String: SerializedArgument]) throws -> HardStep? {
        func number(_ name: String) -> Double? { arguments[name].flatMap { $0.float ?? $0.int.map(Double.init) } }
        func part(_ name: String) -> (x: Int, stage: HardStage)? {
            guard let tensor = arguments[name]?.tensor?.name, case .hardPart(let x, let stage)? = values[tensor] else { return nil }
            return (x, stage)
        }
        switch op {
        case "add.Tensor":
            guard number("other") == 3, number("alpha") ?? 1 == 1, let tensor = arguments["self"]?.tensor?.name,
                  let value = values[tensor], value.isFeature else { return nil }
            return .pending(.hardPart(try read(value, tensor: tensor), .shifted))
        case "clamp.default", "hardtanh.default":
            let (lower, upper) = op == "clamp.default" ? (number("min"), number("max")) : (number("min_val") ?? -1, number("max_val") ?? 1)
            switch part("self") {
            case (let x, .shifted)? where lower == 0 && upper == 6: return .pending(.hardPart(x, .clamped))
            case (let x, .shifted)? where lower == 0 && upper == nil: return .pending(.hardPart(x, .clampedBelow))
            case (let x, .clampedBelow)? where lower == nil && upper == 6: return .pending(.hardPart(x, .clamped))
            default: return nil
            }
        case "mul.Tensor":
            for (gate, other) in [("self", "other"), ("other", "self")] {
                guard case (let x, .clamped)? = part(gate), let tensor = arguments[other]?.tensor?.name,
                      case .node(x)? = values[tensor] else { continue }
                return .pending(.hardPart(x, .timesX))
            }
            return nil
        case "div.Tensor":
            guard number("other") == 6 else { return nil }
            switch part("self") {
            case (let x, .clamped)?: return .emit(.hardSigmoid(alpha: 1.0 / 6, beta: 0.5), x: x)
            case (let x, .timesX)?: return .emit(.hardSwish, x: x)
            default: return nil
            }
        default:
            return nil
        }
    }
}
