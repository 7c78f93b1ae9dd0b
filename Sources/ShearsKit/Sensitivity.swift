// Sensitivity: Distiller-style sensitivity analysis. Every selected layer is pruned alone at
// every ratio, the rest left dense, and each point's accuracy is appended to the results file
// as it is measured (resumable like a sweep: points the file holds are skipped).

/// A sensitivity analysis of one model.
public struct Sensitivity {
    /// The per-layer method: unstructured (l1, random) or structured masks (ln).
    public var method: PruningMethod
    /// The ratios each layer is pruned at.
    public var ratios: [Double]
    /// The layers analysed (`selection`) and the random method's seed.
    public var settings: PruneSettings

    public init(method: PruningMethod = .l1, ratios: [Double], settings: PruneSettings = PruneSettings()) {
        self.method = method; self.ratios = ratios; self.settings = settings
    }

    /// Whether `method` prunes one layer alone: masks do, channel removal by any importance
    /// (which reshapes the layers after it) and global L1 (which ranks all layers together) do not.
    public static func analyses(_ method: PruningMethod) -> Bool { method.channelImportance == nil && method != .globalL1 }

    /// The names of the layers of `model` the analysis prunes, in graph order.
    public func layers(of model: Model) throws -> [String] {
        try settings.selection.nodes(in: model, structured: method.isStructured).map { model.graph.nodes[$0].name }
    }

    /// Prunes each layer of `loaded` alone at each ratio and measures it with `point`, skipping
    /// the points its results file holds; passes each record to `measured`.
    ///
    /// - Returns: the records measured, layer by layer, ratio by ratio.
    @discardableResult
    public func run(_ loaded: LoadedModel, point: SweepPoint, measured: (ResultRecord) throws -> Void = { _ in }) throws -> [ResultRecord] {
        var done: [ResultRecord] = []
        for layer in try layers(of: loaded.model) {
            for ratio in ratios {
                let base = ResultRecord(kind: .sensitivity, model: point.model, method: .pruning(method), ratio: ratio, layer: layer)
                if point.writer.existingKeys.contains(base.key) { continue }
                let pruned = try Pruner.prune(loaded.model, method: method, amount: .fraction(ratio),
                                              selection: .layer(layer), seed: settings.seed).0
                let record = try point.measure(base, pruned, fileSize: false)
                done.append(record)
                try measured(record)
            }
        }
        return done
    }
}
