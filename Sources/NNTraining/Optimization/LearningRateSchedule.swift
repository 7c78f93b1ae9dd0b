// LearningRateSchedule: the learning rate (and the cycled momentum) at a point of training, as
// torch.optim.lr_scheduler computes it: constant, StepLR and CosineAnnealingLR stepped once per
// epoch (the usual `scheduler.step()` after each epoch), OneCycleLR stepped once per batch.

import Foundation

/// A schedule of the learning rate over training; `base` is the optimizer's learning rate
/// (for OneCycle, its `max_lr`).
public enum LearningRateSchedule: Sendable, Codable, Equatable {
    /// `base` throughout.
    case constant
    /// `StepLR(step_size: size, gamma:)`, per epoch: `base · γ^⌊e / size⌋` (torch multiplies by γ
    /// at each positive multiple of `size`; the closed form differs from its products by rounding, ~1e-16).
    case step(size: Int, gamma: Double)
    /// `CosineAnnealingLR(T_max: epochs, eta_min: minimum)`, per epoch: `η + (base − η) · (1 + cos(π e / T)) / 2`,
    /// which rises again past T as torch's does. torch steps a recursive form of it
    /// (`lr_e = η + (lr_{e−1} − η) · (1 + cos(π e / T)) / (1 + cos(π (e − 1) / T))`); the two differ by
    /// rounding (a few 1e-13 relative at most over 700 epochs), and the closed form costs one cosine at any epoch.
    case cosine(epochs: Int, minimum: Double)
    /// `OneCycleLR`, per batch.
    case oneCycle(OneCycleSchedule)

    /// Throws `TrainingError.invalidSetting` for a schedule torch refuses or cannot compute.
    public func validate() throws {
        switch self {
        case .constant: return
        case .step(let size, let gamma):
            guard size > 0 else { throw TrainingError.invalidSetting(name: "step schedule's step size", reason: "\(size) must be > 0") }
            try OptimizerSettings.check("step schedule's gamma", gamma, gamma >= 0, "must be finite and >= 0")
        case .cosine(let epochs, let minimum):
            guard epochs > 0 else { throw TrainingError.invalidSetting(name: "cosine schedule's T_max", reason: "\(epochs) must be > 0") }
            try OptimizerSettings.check("cosine schedule's eta_min", minimum, minimum >= 0, "must be finite and >= 0")
        case .oneCycle(let schedule): try schedule.validate()
        }
    }

    /// The learning rate for step `step` (0-based) of epoch `epoch` (0-based), with
    /// `stepsPerEpoch` steps in an epoch. Throws for a position outside training
    /// (negative, `step >= stepsPerEpoch`, or past OneCycle's total steps) or an invalid schedule.
    public func learningRate(base: Double, epoch: Int, step: Int, stepsPerEpoch: Int) throws -> Double {
        try validate()
        try OptimizerSettings.check("base learning rate", base, base >= 0, "must be finite and >= 0")
        let index = try LearningRateSchedule.batchIndex(epoch: epoch, step: step, stepsPerEpoch: stepsPerEpoch)
        switch self {
        case .constant: return base
        case .step(let size, let gamma): return base * pow(gamma, Double(epoch / size))
        case .cosine(let epochs, let minimum): return minimum + (base - minimum) * (1 + cos(Double(epoch) * Double.pi / Double(epochs))) / 2
        case .oneCycle(let schedule): return try schedule.learningRate(maxLR: base, step: index)
        }
    }

    /// The SGD momentum or Adam β1 for that step where the schedule cycles it (OneCycle with
    /// `cycleMomentum`), else nil (the optimizer's own).
    public func momentum(epoch: Int, step: Int, stepsPerEpoch: Int) throws -> Double? {
        guard case .oneCycle(let schedule) = self else { return nil }
        try schedule.validate()
        return try schedule.momentum(step: LearningRateSchedule.batchIndex(epoch: epoch, step: step, stepsPerEpoch: stepsPerEpoch))
    }

    /// `epoch · stepsPerEpoch + step`, or `invalidSetting` for a position outside training.
    private static func batchIndex(epoch: Int, step: Int, stepsPerEpoch: Int) throws -> Int {
        guard stepsPerEpoch > 0, epoch >= 0, step >= 0, step < stepsPerEpoch else {
            throw TrainingError.invalidSetting(name: "schedule position", reason: "epoch \(epoch), step \(step) of \(stepsPerEpoch) is not a step of training")
        }
        let (product, overflow) = epoch.multipliedReportingOverflow(by: stepsPerEpoch)
        guard !overflow, product <= Int.max - step else {
            throw TrainingError.invalidSetting(name: "schedule position", reason: "epoch \(epoch) of \(stepsPerEpoch) steps is too far")
        }
        return product + step
    }
}
