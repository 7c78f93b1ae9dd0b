// Sweep: measures a SweepPlan's points of one model. Each point's record is appended to the
// results file as soon as it is measured, so a killed sweep resumes where it stopped: the
// points the file already holds (by `ResultRecord.key`) are skipped, and a shard measures
// only its share of the plan's order. A one-shot point prunes once for all its series (the
// fine-tuned ones train a copy of that pruned model); an iterative rate runs its schedule once
// for all its steps, and once more per training recovery, fine-tuning after every round (the
// next round prunes the fine-tuned model); a quantized point is the dense model through
// QuantizationComparison, dequantized, with the blob's size beside the float file's.

/// A sweep of one model.
public struct Sweep {
    public var plan: SweepPlan
    /// The layers, seed and channel options of every pruning call.
    public var settings: PruneSettings

    public init(plan: SweepPlan, settings: PruneSettings = PruneSettings()) {
        self.plan = plan
        self.settings = settings
    }

    /// The plan's records that `shard` owns and `existing` (keys of records already measured)
    /// does not hold, in the plan's order, each key once.
    public func pending(model: String, shard: SweepShard = .all, existing: Set<String> = []) -> [ResultRecord] {
        var seen = existing
        return plan.records(model: model).enumerated().filter { shard.owns($0.offset) && seen.insert($0.element.key).inserted }.map(\.element)
    }

    /// Measures the points of `loaded` that `shard` owns and `point`'s results file does not
    /// hold yet, appending each record as it is measured and passing it to `measured`.
    ///
    /// - Returns: the records measured, in the plan's order.
    @discardableResult
    public func run(_ loaded: LoadedModel, point: SweepPoint, shard: SweepShard = .all,
                    measured: (ResultRecord) throws -> Void = { _ in }) throws -> [ResultRecord] {
        let todo = pending(model: point.model, shard: shard, existing: point.writer.existingKeys)
        var done: [ResultRecord] = []
        func measure(_ record: ResultRecord, _ model: Model, fileSize: Bool = true) throws {
            let result = try point.measure(record, model, fileSize: fileSize)
            done.append(result)
            try measured(result)
        }
        let dense = loaded.model
        // One-shot points: each (method, ratio) pruned once for its series.
        var oneShot = todo.filter { $0.kind == .prune && $0.step == nil }
        while let first = oneShot.first, let method = first.method.pruningMethod {
            let series = oneShot.filter { $0.method.pruningMethod == method && $0.ratio == first.ratio }
            oneShot.removeAll { $0.method.pruningMethod == method && $0.ratio == first.ratio }
            var (pruned, masks): (Model, [String: Tensor]) = (dense, [:])
            if first.ratio != 0 {
                let (model, record) = try settings.prune(dense, method: method, amount: first.ratio)
                (pruned, masks) = (model, record.masks)
            }
            for record in series {
                switch record.method.recovery {
                case nil: try measure(record, pruned)
                case .batchNormRecalibration:
                    guard let images = plan.batchNormRecalibration else { continue }
                    try measure(record, try BatchNormRecalibration.recalibrate(pruned, on: images, batch: point.batch))
                case .fineTuning, .distillation:
                    guard let fineTuning = plan.fineTuning, let recovery = record.method.recovery else { continue }
                    try measure(record, try fineTuning.train(pruned, masks: masks, recovery: recovery))
                }
            }
        }
        // Iterative points: each rate's schedule run once per series (plain, fine-tuned after
        // every round, distilled after every round), its steps measured as they come.
        var iterative = todo.filter { $0.kind == .prune && $0.step != nil }
        while let first = iterative.first, let rate = first.step {
            let steps = iterative.filter { $0.step == rate && $0.method == first.method }
            iterative.removeAll { $0.step == rate && $0.method == first.method }
            let last = steps.compactMap(\.steps).max() ?? 0
            func measureStep(_ k: Int, _ model: Model) throws {
                if let record = steps.first(where: { $0.steps == k }) { try measure(record, model) }
            }
            try measureStep(0, dense)
            var recover: ((Int, Model, PruneRecord) throws -> Model)?
            if let recovery = first.method.recovery, recovery != .batchNormRecalibration {
                guard let fineTuning = plan.fineTuning else { continue }
                recover = { _, pruned, record in try fineTuning.train(pruned, masks: record.masks, recovery: recovery) }
            }
            if last > 0 {
                try settings.run(dense, method: plan.iterativeMethod, schedule: .iterative(step: .fraction(rate), steps: last), recover: recover) { k, model, _ in
                    try measureStep(k, model)
                }
            }
        }
        // Quantized points: the dense model at each bit width, dequantized.
        for base in todo where base.kind == .quantization {
            guard let bits = base.bits else { continue }
            let quantized = try QuantizationComparison(config: QuantizationConfig(bits: bits), source: loaded.path).run(dense)
            var record = base
            record.blobBytes = quantized.blobBytes
            record.fileBytes = loaded.fileBytes
            try measure(record, quantized.dequantized, fileSize: false)
        }
        return done
    }
}
