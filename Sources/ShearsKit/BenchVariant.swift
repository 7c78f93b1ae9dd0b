// BenchVariant: one model a bench times — the dense model, or a pruned copy of it with the
// variant kind (masked, on the sparse kernel, channel-removed), method and ratio it records —
// and how a bench makes them all from one model.

/// One model timed by a `Bench`.
public struct BenchVariant {
    /// How the variant differs from the dense model.
    public let variant: ResultRecord.Variant
    /// `.dense`, or the pruning method that made it.
    public let method: ResultRecord.Method
    /// The pruning ratio (0 for dense).
    public let ratio: Double
    public let model: Model
    /// Whether sparse layers run on the sparse kernel (otherwise every layer runs dense).
    public var sparseKernels: Bool

    public init(variant: ResultRecord.Variant, method: ResultRecord.Method, ratio: Double, model: Model, sparseKernels: Bool = false) {
        self.variant = variant; self.method = method; self.ratio = ratio; self.model = model; self.sparseKernels = sparseKernels
    }

    /// How many variants `make` returns: `1 + ratios · Σ(1 per structured method, 2 per
    /// unstructured one)`; in Double, so that no list can overflow it.
    public static func count(methods: [PruningMethod], ratios: Int) -> Double {
        1 + Double(ratios) * methods.reduce(0) { $0 + ($1.isStructured ? 1 : 2) }
    }

    /// Dense first, then each method at each ratio: masks (unstructured or structured) keep the
    /// dense shapes, channel removal shrinks them; each unstructured mask is followed by the
    /// same model on the sparse kernel (`.maskedSparse`).
    ///
    /// The weights of all variants (`count · parameters` float32) are checked against the memory
    /// budget before any is made; `path` names the model file in that error.
    public static func make(from model: Model, methods: [PruningMethod], ratios: [Double],
                            settings: PruneSettings = PruneSettings(), path: String) throws -> [BenchVariant] {
        let count = Int(Self.count(methods: methods, ratios: ratios.count))
        try MemoryBudget.check(elements: [count, ModelStatistics.parameterCount(of: model)].checkedProduct ?? -1, of: 4,
                               for: "the weights of \(count) variants", path: path)
        var variants = [BenchVariant(variant: .dense, method: .dense, ratio: 0, model: model)]
        for method in methods {
            let variant: ResultRecord.Variant
            switch method {
            case .channel: variant = .channelRemoved
            case .ln: variant = .maskedStructured
            default: variant = .maskedUnstructured
            }
            for ratio in ratios {
                let pruned = try settings.prune(model, method: method, amount: ratio).0
                variants.append(BenchVariant(variant: variant, method: .pruning(method), ratio: ratio, model: pruned))
                if !method.isStructured {
                    variants.append(BenchVariant(variant: .maskedSparse, method: .pruning(method), ratio: ratio, model: pruned, sparseKernels: true))
                }
            }
        }
        return variants
    }
}
