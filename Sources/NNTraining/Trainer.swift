// Trainer: one training step as a PyTorch loop writes it: `optimizer.zero_grad()`, forward in
// training mode, the loss, `loss.backward()`, `optimizer.step()`. Masks held by the optimizer
// keep pruned weights at zero; a channel-removed model trains as its smaller dense self.

import NNCore

/// A model, its optimizer and its loss.
public struct Trainer: Sendable {
    public var model: TrainableModel
    public var optimizer: Optimizer
    public let loss: TrainingLoss

    /// What one step measured, before its update.
    public struct StepResult: Sendable, Equatable {
        /// The loss of the batch.
        public let loss: Float
        /// Images whose largest logit (`torch.argmax`) is their label.
        public let correct: Int
    }

    public init(model: TrainableModel, optimizer: Optimizer, loss: TrainingLoss) {
        self.model = model; self.optimizer = optimizer; self.loss = loss
    }

    /// One step on `images` `[N, C, H, W]` with `labels` (N of them) at `learningRate` (and a
    /// cycled `momentum`, OneCycle's); `teacherLogits` `[N, K]` for distillation.
    public mutating func step(_ images: Tensor, labels: [Int], teacherLogits: Tensor? = nil,
                              learningRate: Double, momentum: Double? = nil) throws -> StepResult {
        guard images.rank == 4, labels.count == images.shape[0] else {
            throw TrainingError.shapeMismatch("\(labels.count) labels for a batch of shape \(images.shape)")
        }
        let pass = try model.forward(images, training: true)
        let (value, gradient) = try loss.evaluate(pass.output, labels: labels, teacher: teacherLogits)
        let gradients = try model.backward(pass, outputGradient: gradient)
        try optimizer.step(&model.parameters, gradients: gradients, keys: model.parameterKeys.filter { gradients[$0] != nil },
                           learningRate: learningRate, momentum: momentum)
        return StepResult(loss: value, correct: zip(argmaxRows(pass.output), labels).filter { $0 == $1 }.count)
    }
}
