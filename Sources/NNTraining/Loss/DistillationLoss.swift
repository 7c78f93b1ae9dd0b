// DistillationLoss: the homework's `loss_fn_kd(student_logits, labels, teacher_logits, alpha, T)`
// = alpha·T²·KLDivLoss(reduction='batchmean', log_target=True)(log_softmax(student/T),
// log_softmax(teacher/T)) + (1 − alpha)·cross_entropy(student, labels), with its gradient
// wrt the student's logits (the teacher's are constants).

import Foundation
import NNCore

/// Knowledge distillation's loss, exactly `loss_fn_kd`.
///
/// With `s = log_softmax(z/T)`, `t = log_softmax(z_teacher/T)` per sample:
/// `KL = (1/N) Σ_ik exp(t_ik)·(t_ik − s_ik)`, `loss = alpha·T²·KL + (1 − alpha)·CE(z, labels)`;
/// `∂KL/∂s_ik = −exp(t_ik)/N`, taken through the log-softmax as autograd does
/// (`∂/∂z_ik = (g_ik − softmax(z/T)_ik · Σ_j g_ij) / T`), plus `(1 − alpha)·∂CE/∂z`.
public struct DistillationLoss: Sendable, Equatable {
    /// The weight of the distillation term (the homework's 0.5 by default).
    public let alpha: Float
    /// The softmax temperature T (> 0).
    public let temperature: Float

    /// Throws `TrainingError.invalidSetting` unless alpha is finite and the temperature a finite number above 0.
    public init(alpha: Float, temperature: Float) throws {
        guard alpha.isFinite else { throw TrainingError.invalidSetting(name: "alpha", reason: "\(alpha) is not a finite number") }
        guard temperature.isFinite, temperature > 0 else {
            throw TrainingError.invalidSetting(name: "temperature", reason: "\(temperature) is not a finite number above 0")
        }
        (self.alpha, self.temperature) = (alpha, temperature)
    }

    /// The loss over the batch and `∂loss/∂student` (`[N, K]`).
    /// - Throws: `TrainingError.shapeMismatch` (logits not `[N, K]`, the teacher's of another
    ///   shape, labels not N), `.labelOutOfRange` for the first label outside `0..<K`.
    public func callAsFunction(student: Tensor, teacher: Tensor, labels: [Int]) throws -> (loss: Float, gradient: Tensor) {
        guard teacher.shape == student.shape else {
            throw TrainingError.shapeMismatch("the teacher's logits are \(teacher.shape), the student's \(student.shape)")
        }
        let t = Double(temperature), a = Double(alpha)
        let (crossEntropy, crossGradient) = try CrossEntropyLoss.loss(try LogSoftmax(student, "the student's logits"), labels: labels, smoothing: 0)
        let s = try LogSoftmax(student, temperature: t, "the student's logits")
        let q = try LogSoftmax(teacher, temperature: t, "the teacher's logits")
        let (batch, classes) = (s.batch, s.classes), n = Double(batch)
        var divergence = 0.0
        var gradient = [Float](repeating: 0, count: batch * classes)
        for row in 0..<batch {
            let base = row * classes
            var targetSum = 0.0
            for k in base ..< base + classes {
                let target = exp(q.values[k])
                divergence += target * (q.values[k] - s.values[k])
                targetSum += target
            }
            // g = −exp(t)/N at s; through log_softmax: (g − softmax(s)·Σg) / T.
            for k in base ..< base + classes {
                let kl = (-exp(q.values[k]) + exp(s.values[k]) * targetSum) / n / t
                gradient[k] = Float(a * t * t * kl + (1 - a) * crossGradient[k])
            }
        }
        let loss = a * t * t * divergence / n + (1 - a) * crossEntropy
        return (Float(loss), Tensor(shape: student.shape, scalars: gradient))
    }
}
