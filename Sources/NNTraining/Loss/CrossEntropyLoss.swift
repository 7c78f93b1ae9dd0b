// CrossEntropyLoss: torch's `F.cross_entropy(logits, labels, reduction='mean',
// label_smoothing=ε)` over a batch of logits [N, K], with its gradient wrt the logits.

import Foundation
import NNCore

/// `F.cross_entropy` with mean reduction and optional label smoothing.
///
/// With `p = log_softmax(z)` per sample, the target `q = (1 − ε)·onehot(label) + ε/K`:
/// `loss = (1/N) Σ_i −Σ_k q_ik · p_ik` and `∂loss/∂z_ik = (softmax(z)_ik − q_ik) / N`.
/// Every label must be a class (torch's `ignore_index` is not supported: a label outside
/// `0..<K` is an error).
public struct CrossEntropyLoss: Sendable, Equatable {
    /// ε in [0, 1].
    public let labelSmoothing: Float

    /// Without label smoothing: `F.cross_entropy(logits, labels)`.
    public init() { labelSmoothing = 0 }

    /// Throws `TrainingError.invalidSetting` unless `labelSmoothing` is in [0, 1] (torch's range).
    public init(labelSmoothing: Float) throws {
        guard labelSmoothing >= 0, labelSmoothing <= 1 else {
            throw TrainingError.invalidSetting(name: "label smoothing", reason: "\(labelSmoothing) is not in [0, 1]")
        }
        self.labelSmoothing = labelSmoothing
    }

    /// The mean loss over the batch and `∂loss/∂logits` (`[N, K]`).
    /// - Throws: `TrainingError.shapeMismatch` (logits not `[N, K]`, labels not N),
    ///   `.labelOutOfRange` for the first label outside `0..<K`.
    public func callAsFunction(_ logits: Tensor, labels: [Int]) throws -> (loss: Float, gradient: Tensor) {
        let p = try LogSoftmax(logits, "the logits")
        let (loss, gradient) = try Self.loss(p, labels: labels, smoothing: Double(labelSmoothing))
        return (Float(loss), Tensor(shape: logits.shape, scalars: gradient.map(Float.init)))
    }

    /// The loss and its gradient wrt the logits behind `p`, in Double (the distillation loss adds its part to them).
    static func loss(_ p: LogSoftmax, labels: [Int], smoothing: Double) throws -> (loss: Double, gradient: [Double]) {
        let (batch, classes) = (p.batch, p.classes)
        guard labels.count == batch else {
            throw TrainingError.shapeMismatch("\(labels.count) labels for a batch of \(batch) logits")
        }
        if let sample = labels.firstIndex(where: { !(0..<classes).contains($0) }) {
            throw TrainingError.labelOutOfRange(label: labels[sample], sample: sample, classes: classes)
        }
        let uniform = smoothing / Double(classes), n = Double(batch)
        var loss = 0.0
        var gradient = [Double](repeating: 0, count: batch * classes)
        for (row, label) in labels.enumerated() {
            let base = row * classes
            var rowSum = 0.0
            for k in 0..<classes {
                let target = uniform + (k == label ? 1 - smoothing : 0)
                rowSum += target * p.values[base + k]
                gradient[base + k] = (exp(p.values[base + k]) - target) / n
            }
            loss -= rowSum
        }
        return (loss / n, gradient)
    }
}
