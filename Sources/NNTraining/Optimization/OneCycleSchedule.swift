// OneCycleSchedule: torch.optim.lr_scheduler.OneCycleLR's learning rate and cycled momentum
// at a batch index, in its closed form (the phases of `get_lr`), with its defaults.

import Foundation

/// `OneCycleLR(max_lr, total_steps, pct_start, anneal_strategy, div_factor, final_div_factor,
/// three_phase, cycle_momentum, base_momentum, max_momentum)`, stepped once per batch.
///
/// With initial = max_lr / div_factor and min = initial / final_div_factor, the phases end at
/// steps `pct · total − 1` (initial → max_lr, momentum max → base) and `total − 1`
/// (max_lr → min, momentum base → max); three-phase: `pct · total − 1` (initial → max_lr),
/// `2 · pct · total − 2` (max_lr → initial), `total − 1` (initial → min, momentum at max).
/// Within a phase from step a to b, `pct = (step − a) / (b − a)` and the value anneals from
/// start to end: cos `end + (start − end) / 2 · (cos(π · pct) + 1)`, linear `(end − start) · pct + start`.
public struct OneCycleSchedule: Sendable, Codable, Equatable {
    public enum Anneal: String, Sendable, Codable { case cos, linear }

    /// `total_steps`: the batches of the whole run (epochs × steps per epoch).
    public var totalSteps: Int
    public var pctStart: Double
    public var anneal: Anneal
    public var divFactor: Double
    public var finalDivFactor: Double
    public var threePhase: Bool
    /// Whether SGD's momentum (Adam's β1) cycles inversely to the learning rate.
    public var cycleMomentum: Bool
    public var baseMomentum: Double
    public var maxMomentum: Double

    /// torch's defaults but `totalSteps`.
    public init(totalSteps: Int, pctStart: Double = 0.3, anneal: Anneal = .cos, divFactor: Double = 25, finalDivFactor: Double = 1e4,
                threePhase: Bool = false, cycleMomentum: Bool = true, baseMomentum: Double = 0.85, maxMomentum: Double = 0.95) {
        self.totalSteps = totalSteps
        self.pctStart = pctStart
        self.anneal = anneal
        self.divFactor = divFactor
        self.finalDivFactor = finalDivFactor
        self.threePhase = threePhase
        self.cycleMomentum = cycleMomentum
        self.baseMomentum = baseMomentum
        self.maxMomentum = maxMomentum
    }

    /// Which value a phase starts or ends at.
    private enum Level { case initial, peak, minimum }

    /// One phase: its last step, and the learning-rate and momentum levels it anneals between
    /// (momentum: false = base, true = max).
    private struct Phase {
        let end: Double
        let rate: (start: Level, end: Level)
        let momentum: (start: Bool, end: Bool)
    }

    private var phases: [Phase] {
        let total = Double(totalSteps)
        if threePhase {
            return [Phase(end: pctStart * total - 1, rate: (.initial, .peak), momentum: (true, false)),
                    Phase(end: 2 * pctStart * total - 2, rate: (.peak, .initial), momentum: (false, true)),
                    Phase(end: total - 1, rate: (.initial, .minimum), momentum: (true, true))]
        }
        return [Phase(end: pctStart * total - 1, rate: (.initial, .peak), momentum: (true, false)),
                Phase(end: total - 1, rate: (.peak, .minimum), momentum: (false, true))]
    }

    /// Throws `TrainingError.invalidSetting` for settings torch refuses, or whose phases torch
    /// would divide by zero in (a phase of zero steps, e.g. `pctStart · totalSteps = 1`).
    public func validate() throws {
        guard totalSteps > 0 else { throw TrainingError.invalidSetting(name: "one-cycle total steps", reason: "\(totalSteps) must be > 0") }
        try OptimizerSettings.check("one-cycle pct_start", pctStart, pctStart >= 0 && pctStart <= 1, "must be in [0, 1]")
        try OptimizerSettings.check("one-cycle div_factor", divFactor, divFactor > 0, "must be finite and > 0")
        try OptimizerSettings.check("one-cycle final_div_factor", finalDivFactor, finalDivFactor > 0, "must be finite and > 0")
        try OptimizerSettings.check("one-cycle base_momentum", baseMomentum, baseMomentum >= 0 && baseMomentum < 1, "must be in [0, 1)")
        try OptimizerSettings.check("one-cycle max_momentum", maxMomentum, maxMomentum >= 0 && maxMomentum < 1, "must be in [0, 1)")
        var start = 0.0
        for phase in phases {
            guard phase.end != start else {
                throw TrainingError.invalidSetting(name: "one-cycle pct_start", reason: "\(pctStart) of \(totalSteps) steps leaves a phase of no steps")
            }
            start = phase.end
        }
    }

    /// The learning rate at batch `step` (0-based, at most `totalSteps` as torch allows).
    public func learningRate(maxLR: Double, step: Int) throws -> Double {
        let initial = maxLR / divFactor
        let level: (Level) -> Double = { $0 == .initial ? initial : $0 == .peak ? maxLR : initial / self.finalDivFactor }
        let (phase, pct) = try locate(step)
        return anneal(level(phase.rate.start), level(phase.rate.end), pct)
    }

    /// The momentum (β1) at batch `step`, or nil when it does not cycle.
    public func momentum(step: Int) throws -> Double? {
        guard cycleMomentum else { return nil }
        let (phase, pct) = try locate(step)
        return anneal(phase.momentum.start ? maxMomentum : baseMomentum, phase.momentum.end ? maxMomentum : baseMomentum, pct)
    }

    /// The phase `step` falls in and how far through it, as `get_lr` finds them.
    private func locate(_ step: Int) throws -> (Phase, Double) {
        guard step >= 0, step <= totalSteps else {
            throw TrainingError.invalidSetting(name: "one-cycle step", reason: "step \(step) is past the schedule's \(totalSteps) total steps")
        }
        let phases = self.phases
        var start = 0.0
        for (i, phase) in phases.enumerated() {
            if Double(step) <= phase.end || i == phases.count - 1 {
                return (phase, (Double(step) - start) / (phase.end - start))
            }
            start = phase.end
        }
        throw TrainingError.invalidSetting(name: "one-cycle step", reason: "no phase holds step \(step)")
    }

    private func anneal(_ start: Double, _ end: Double, _ pct: Double) -> Double {
        switch anneal {
        case .cos: return end + (start - end) / 2.0 * (cos(Double.pi * pct) + 1)
        case .linear: return (end - start) * pct + start
        }
    }
}
