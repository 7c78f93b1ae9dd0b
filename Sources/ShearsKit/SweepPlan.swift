// SweepPlan: what a sweep measures, as the ordered list of its points' records: every
// one-shot method at every ratio (channel removal, by any importance, also with BatchNorm
// recalibrated, where recalibration images are given; every method also fine-tuned, and
// distilled, where fine-tuning is given), every iterative step rate's steps 0…K (and the same
// steps fine-tuned after every round), and the dense model quantized at every bit width. The
// order is fixed, so shards and resumed runs agree on which point is which.

/// The points of one sweep.
public struct SweepPlan {
    /// One-shot methods, each measured at every ratio of `ratios` (each channel importance its
    /// own method and series: "channel", "channel-l2", "channel-bn-scale").
    public var methods: [PruningMethod]
    /// One-shot ratios (fractions pruned).
    public var ratios: [Double]
    /// Iterative step rates: each step prunes this fraction of what remains.
    public var iterativeRates: [Double]
    /// Iterative steps K per rate (K + 1 points: the dense model, then each step).
    public var iterativeSteps: Int
    /// The method of each iterative step.
    public var iterativeMethod: PruningMethod
    /// Bit widths the dense model is quantized at (min-max, per tensor).
    public var quantizationBits: [Int]
    /// Training images whose statistics re-estimate BatchNorm after channel removal: each
    /// channel point is then measured twice, plain and as the series `<method>+bn-recal`
    /// (`channel+bn-recal`, `channel-bn-scale+bn-recal`, …).
    public var batchNormRecalibration: DecodedImages?
    /// Recovery by training: every one-shot point, and every iterative step, is also measured
    /// fine-tuned (series `<method>+ft`) and, with a teacher, distilled (`<method>+kd`); an
    /// iterative schedule then fine-tunes after every round, each round pruning the model the
    /// round before fine-tuned.
    public var fineTuning: SweepFineTuning?

    public init(methods: [PruningMethod], ratios: [Double], iterativeRates: [Double] = [], iterativeSteps: Int = 12,
                iterativeMethod: PruningMethod = .l1, quantizationBits: [Int] = [], batchNormRecalibration: DecodedImages? = nil,
                fineTuning: SweepFineTuning? = nil) {
        self.methods = methods; self.ratios = ratios; self.iterativeRates = iterativeRates; self.iterativeSteps = iterativeSteps
        self.iterativeMethod = iterativeMethod; self.quantizationBits = quantizationBits
        self.batchNormRecalibration = batchNormRecalibration; self.fineTuning = fineTuning
    }

    /// The number of points, `Σ_methods series × ratios + rates × (K + 1) × (1 + trained) + bits`
    /// (a method's series: itself, its recalibration, its `trainedSeries` fine-tuned ones), in
    /// Double so that no list can overflow it: check it against a cap before `records` makes them.
    public static func pointCount(methods: [PruningMethod], ratios: Int, iterativeRates: Int, iterativeSteps: Int,
                                  quantizationBits: Int, recalibratesBatchNorm: Bool, trainedSeries: Int = 0) -> Double {
        let series = methods.reduce(0.0) { $0 + (recalibratesBatchNorm && $1.channelImportance != nil ? 2 : 1) + Double(trainedSeries) }
        return series * Double(ratios) + Double(iterativeRates) * (Double(iterativeSteps) + 1) * Double(1 + trainedSeries) + Double(quantizationBits)
    }

    /// This plan's `pointCount`.
    public var pointCount: Double {
        Self.pointCount(methods: methods, ratios: ratios.count, iterativeRates: iterativeRates.count, iterativeSteps: iterativeSteps,
                        quantizationBits: quantizationBits.count, recalibratesBatchNorm: batchNormRecalibration != nil,
                        trainedSeries: fineTuning?.recoveries.count ?? 0)
    }

    /// `record`'s point recovered by training as `recovery` says, with the recipe.
    private func trained(_ record: ResultRecord, _ recovery: ResultRecord.Method.Recovery, _ fineTuning: SweepFineTuning) -> ResultRecord {
        var record = record
        record.method.recovery = recovery
        record.fineTuning = fineTuning.recipe(recovery)
        return record
    }

    /// Every point's record for the model labelled `model`, before measurement, in the plan's order.
    public func records(model: String) -> [ResultRecord] {
        var records: [ResultRecord] = []
        for method in methods {
            for ratio in ratios {
                records.append(ResultRecord(kind: .prune, model: model, method: .pruning(method), ratio: ratio))
                if batchNormRecalibration != nil && method.channelImportance != nil {
                    records.append(ResultRecord(kind: .prune, model: model, method: .pruning(method, recovery: .batchNormRecalibration), ratio: ratio))
                }
                if let fineTuning {
                    let plain = ResultRecord(kind: .prune, model: model, method: .pruning(method), ratio: ratio)
                    records += fineTuning.recoveries.map { trained(plain, $0, fineTuning) }
                }
            }
        }
        for rate in iterativeRates {
            let steps = (0...max(0, iterativeSteps)).map { k in
                ResultRecord(kind: .prune, model: model, method: .pruning(iterativeMethod),
                             ratio: PruneSchedule.cumulativeFraction(step: rate, steps: k), step: rate, steps: k)
            }
            records += steps
            if let fineTuning {
                for recovery in fineTuning.recoveries { records += steps.map { trained($0, recovery, fineTuning) } }
            }
        }
        for bits in quantizationBits {
            records.append(ResultRecord(kind: .quantization, model: model, method: .minMax, ratio: 0, bits: bits, perChannel: false))
        }
        return records
    }
}

/// One of `count` jobs that split a sweep: it measures every `count`-th point of the plan,
/// starting at `index` (0-based).
public struct SweepShard: Equatable, Sendable {
    public let index: Int
    public let count: Int

    /// The whole sweep.
    public static let all = SweepShard(uncheckedIndex: 0, count: 1)

    /// Shard `index` (0 ≤ index < count) of `count`; nil otherwise.
    public init?(index: Int, count: Int) {
        guard count >= 1, (0..<count).contains(index) else { return nil }
        self.init(uncheckedIndex: index, count: count)
    }

    private init(uncheckedIndex index: Int, count: Int) {
        self.index = index; self.count = count
    }

    /// Whether this shard measures the plan's point at `position`.
    public func owns(_ position: Int) -> Bool { position % count == index }
}
