// TrainingError: every error the NNTraining module throws, one line each, naming the layer,
// key or setting, and where one is known the way out.

import NNCore

/// Errors from training a model.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// An op (named by its node) that has no backward in Shears; `wayOut` says what would go through.
    case unsupportedOp(node: String, op: String, wayOut: String)
    /// A parameter a node reads is missing from the model (`key`).
    case missingParameter(String)
    /// Tensors whose shapes do not fit (a batch, labels, a gradient or an optimizer's state).
    case shapeMismatch(String)
    /// A setting that cannot work (`name`: the setting, `reason`: why).
    case invalidSetting(name: String, reason: String)
    /// A label (of sample `sample`) that is not one of the logits' `classes` classes.
    case labelOutOfRange(label: Int, sample: Int, classes: Int)
    /// The loss became NaN or infinite at `step` (1-based, counted over the whole run): the
    /// weights that step would leave are not a model worth writing.
    case diverged(step: Int, loss: Float)

    public var description: String {
        switch self {
        case .unsupportedOp(let node, let op, let wayOut): return "\(node): \(op) has no backward in Shears; \(wayOut)"
        case .missingParameter(let key): return "missing parameter \(key)"
        case .shapeMismatch(let detail): return "shape mismatch: \(detail)"
        case .invalidSetting(let name, let reason): return "invalid \(name): \(reason)"
        case .labelOutOfRange(let label, let sample, let classes):
            return "label \(label) of sample \(sample) is not a class of the \(classes) logits (0..<\(classes)); check the dataset's classes against the model's outputs"
        case .diverged(let step, let loss):
            return "training diverged: the loss is \(loss) at step \(step); lower the learning rate"
        }
    }
}
