// Pruner+Schedule: one-shot and iterative pruning. An iterative schedule `step S, steps K`
// calls `Pruner.prune` K times, each pruning S of what remains (torch's repeated
// `prune.l1_unstructured` semantics), and hands every step's model to the caller so a
// sweep can evaluate each one.

import Foundation
import NNCore

/// How much to prune, in how many steps.
public enum PruneSchedule: Equatable, Sendable {
    /// One call with `amount`.
    case oneShot(PruningAmount)
    /// `steps` calls, each pruning `step` of what remains.
    case iterative(step: PruningAmount, steps: Int)

    /// The fraction pruned after `steps` calls that each prune `step` of what remains:
    /// `1 − (1 − step)^steps`.
    public static func cumulativeFraction(step: Double, steps: Int) -> Double {
        1 - pow(1 - step, Double(steps))
    }

    /// The amount of each call, in order.
    public var amounts: [PruningAmount] {
        switch self {
        case .oneShot(let amount): return [amount]
        case .iterative(let step, let steps): return Array(repeating: step, count: max(0, steps))
        }
    }
}

extension Pruner {
    /// Runs `schedule`, calling `body(step, model, record)` after each step (step counts from 1);
    /// `.random` uses a new seed per step, as torch draws new numbers per call.
    ///
    /// - Parameter recover: when given, `recover(step, model, record)` returns the model that
    ///   `body` sees and the next step prunes (a fine-tuned copy, the homework's prune, fine-tune,
    ///   repeat; its masked weights must still be zero, as training with the record's masks held
    ///   keeps them).
    public static func run(_ model: Model, method: PruningMethod, schedule: PruneSchedule,
                           selection: LayerSelection = LayerSelection(), seed: UInt64 = 0,
                           roundTo: Int = 1, pruneResidualGroups: Bool = false,
                           recover: ((Int, Model, PruneRecord) throws -> Model)? = nil,
                           body: (Int, Model, PruneRecord) throws -> Void) throws {
        var current = model
        var record: PruneRecord?
        for (i, amount) in schedule.amounts.enumerated() {
            let (pruned, nextRecord) = try prune(current, method: method, amount: amount, selection: selection,
                                                 seed: seed &+ UInt64(i) &* 0x1_0000, previous: record,
                                                 roundTo: roundTo, pruneResidualGroups: pruneResidualGroups)
            let next = try recover?(i + 1, pruned, nextRecord) ?? pruned
            (current, record) = (next, nextRecord)
            try body(i + 1, next, nextRecord)
        }
    }
}
