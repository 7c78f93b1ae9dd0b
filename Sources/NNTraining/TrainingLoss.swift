// TrainingLoss: the loss a training step minimises: cross-entropy against the labels (with
// optional label smoothing), or the homework's knowledge-distillation loss against a
// teacher's logits.

import NNCore

/// What a training step minimises.
public enum TrainingLoss: Sendable, Equatable {
    /// `F.cross_entropy(logits, labels, label_smoothing=ε)`, mean over the batch.
    case crossEntropy(CrossEntropyLoss)
    /// `loss_fn_kd` against the teacher's logits of each batch.
    case distillation(DistillationLoss)

    /// Whether a step needs the teacher's logits.
    public var needsTeacher: Bool {
        if case .distillation = self { return true }
        return false
    }

    /// The loss of `logits` `[N, K]` against `labels` (and `teacher` logits `[N, K]` for
    /// distillation), and `∂loss/∂logits`.
    func evaluate(_ logits: Tensor, labels: [Int], teacher: Tensor?) throws -> (loss: Float, gradient: Tensor) {
        switch self {
        case .crossEntropy(let loss): return try loss(logits, labels: labels)
        case .distillation(let loss):
            guard let teacher else { throw TrainingError.invalidSetting(name: "teacher", reason: "distillation needs the teacher's logits") }
            return try loss(student: logits, teacher: teacher, labels: labels)
        }
    }
}
