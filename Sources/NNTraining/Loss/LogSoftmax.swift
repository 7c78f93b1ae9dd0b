// LogSoftmax: the row-wise log-softmax of a batch of logits [N, K] (at a temperature), in
// Double and stable (the row's maximum subtracted before the exponentials), the one both
// losses start from.

import Foundation
import NNCore

/// Log-probabilities of a batch of logits.
struct LogSoftmax {
    /// Samples and classes.
    let batch: Int, classes: Int
    /// `log_softmax(z / T)` per row, row-major `[N, K]`: `z/T − m − log Σ_k exp(z_k/T − m)`, `m = max_k z_k/T`.
    let values: [Double]

    /// The log-softmax of `logits` (`[N, K]`, N and K at least 1) divided by `temperature`;
    /// `what` names the tensor in the error when the shape is not that.
    init(_ logits: Tensor, temperature: Double = 1, _ what: String) throws {
        guard logits.rank == 2, logits.shape[0] >= 1, logits.shape[1] >= 1 else {
            throw TrainingError.shapeMismatch("\(what) must be [N, K] with N, K >= 1, got \(logits.shape)")
        }
        let (batch, classes) = (logits.shape[0], logits.shape[1])
        (self.batch, self.classes) = (batch, classes)
        values = [Double](unsafeUninitializedCapacity: batch * classes) { out, initialized in
            logits.scalars.withUnsafeBufferPointer { z in
                for row in 0..<batch {
                    let base = row * classes
                    var largest = -Double.infinity
                    for k in 0..<classes { largest = max(largest, Double(z[base + k]) / temperature) }
                    var sum = 0.0
                    for k in 0..<classes { sum += exp(Double(z[base + k]) / temperature - largest) }
                    let shift = largest + log(sum)
                    for k in 0..<classes { out[base + k] = Double(z[base + k]) / temperature - shift }
                }
            }
            initialized = batch * classes
        }
    }
}
