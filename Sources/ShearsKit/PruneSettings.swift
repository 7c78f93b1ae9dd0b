// PruneSettings: what every pruning call of one run shares (the layers, the random seed,
// channel removal's rounding and residual groups), so a workflow prunes with one value.

/// The settings of `Pruner.prune` and `Pruner.run` other than the method and amount.
public struct PruneSettings: Sendable {
    /// Layers to prune (default: every conv and linear, convs only when structured).
    public var selection: LayerSelection
    /// Seed of the random method (layer i uses `seed + i`).
    public var seed: UInt64
    /// Channel removal: kept channel counts are multiples of this (1: no rounding).
    public var roundTo: Int
    /// Channel removal: also prune channels joined by residual adds.
    public var pruneResidualGroups: Bool

    public init(selection: LayerSelection = LayerSelection(), seed: UInt64 = 0, roundTo: Int = 1, pruneResidualGroups: Bool = false) {
        self.selection = selection; self.seed = seed; self.roundTo = roundTo; self.pruneResidualGroups = pruneResidualGroups
    }

    /// Prunes `model` once by `amount` (a fraction of what remains) with `method`.
    public func prune(_ model: Model, method: PruningMethod, amount: Double) throws -> (Model, PruneRecord) {
        try Pruner.prune(model, method: method, amount: .fraction(amount), selection: selection, seed: seed,
                         roundTo: roundTo, pruneResidualGroups: pruneResidualGroups)
    }

    /// Runs `schedule` with `method`, calling `body(step, model, record)` after each step (on
    /// the model `recover` returns, which the next step prunes, where given).
    public func run(_ model: Model, method: PruningMethod, schedule: PruneSchedule,
                    recover: ((Int, Model, PruneRecord) throws -> Model)? = nil, body: (Int, Model, PruneRecord) throws -> Void) throws {
        try Pruner.run(model, method: method, schedule: schedule, selection: selection, seed: seed,
                       roundTo: roundTo, pruneResidualGroups: pruneResidualGroups, recover: recover, body: body)
    }
}
