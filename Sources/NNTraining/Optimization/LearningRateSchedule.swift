// LearningRateSchedule: the learning rate (and the cycled momentum) at a point of training, as
// torch.optim.lr_scheduler computes it: constant, StepLR and CosineAnnealingLR stepped once per
// epoch (the usual `scheduler.step()` after each epoch), OneCycleLR stepped once per batch.

import Foundation

/// A schedule of the learning rate over training; `base` is the optimizer's learning rate
/// (for OneCycle, its `max_lr`).
public enum LearningRateSchedule: Sendable, Codable, Equatable {
    /// `base` throughout.
    case constant
    /// `StepLR(step_size: size, gamma:)`, per epoch: `lr ← lr · γ` at every epoch that is a
    /// positive multiple of `size` (torch's recursive form, so `base · γ^⌊e / size⌋` as torch rounds it).
    case step(size: Int, gamma: Double)
    /// `CosineAnnealingLR(T_max: epochs, eta_min: minimum)`, per epoch, in torch's recursive form:
    /// `lr_e = η + (lr_{e−1} − η) · (1 + cos(π e / T)) / (1 + cos(π (e − 1) / T))`, and
    /// `lr_e = lr_{e−1} + (base − η) · (1 − cos(π / T)) / 2` where `(e − 1 − T) mod 2T = 0`
    /// (the closed form `η + (base − η) · (1 + cos(π e / T)) / 2` up to rounding; past T it rises again).
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
        case .step(let size, let gamma):
            var rate = base
            for _ in 0..<(epoch / size) { rate *= gamma }
            return rate
        case .cosine(let epochs, let minimum): return LearningRateSchedule.cosine(base: base, epoch: epoch, period: epochs, minimum: minimum)
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

    /// CosineAnnealingLR's `get_lr` applied `epoch` times from `base`.
    private static func cosine(base: Double, epoch: Int, period: Int, minimum: Double) -> Double {
        var rate = base
        let t = Double(period)
        guard epoch > 0 else { return rate }
        for e in 1...epoch {
            let remainder = (e - 1 - period) % (2 * period)
            if remainder == 0 {
                rate = rate + (base - minimum) * (1 - cos(Double.pi / t)) / 2
            } else {
                rate = (1 + cos(Double.pi * Double(e) / t)) / (1 + cos(Double.pi * Double(e - 1) / t)) * (rate - minimum) + minimum
            }
        }
        return rate
    }
}
