// QuantizationComparison: what `shears quantize` computes — optionally prune, quantize every
// selected tensor, encode the pickle blob, dequantize, and compare: per-tensor reconstruction
// error, its total, and accuracy on images before and after. Writing the files is the caller's.

/// Quantizes a model and measures what quantization cost it.
///
/// Steps: prune (`prune`, by `amount`, with `settings`) when asked; `Quantizer.quantize` with
/// `config`; `BlobCodec.encode`; the dequantized model (same graph, `QuantizedModel.dequantized()`
/// weights); `QuantizationNoise`s of every quantized tensor against the (pruned) float one; with
/// images, `Evaluator` accuracy of the float model and of the dequantized one.
public struct QuantizationComparison {
    /// What one comparison gives.
    public struct Result {
        /// The float model quantized: the input, or its pruned copy.
        public let model: Model
        public let quantized: QuantizedModel
        /// The pickle blob (docs/BLOB_FORMAT.md).
        public let blob: [UInt8]
        /// `model` with its weights dequantized from the codes.
        public let dequantized: Model
        /// Per quantized tensor: RMSE and SQNR against `model`'s weights.
        public let noise: [QuantizationNoise]
        /// `noise` summed (`QuantizationNoise.total`).
        public let total: QuantizationNoise
        /// Top-1 accuracy of `model` and of `dequantized` on the images, when images were given.
        public let accuracyBefore: Double?
        public let accuracyAfter: Double?

        /// The blob's size in bytes.
        public var blobBytes: Int { blob.count }
    }

    public var config: QuantizationConfig
    /// Prune with this method before quantizing (channel removal shrinks the blob; masked zeros do not).
    public var prune: PruningMethod?
    /// The pruning amount, a fraction in [0, 1].
    public var amount: Double
    public var settings: PruneSettings
    /// The checkpoint's file name, recorded in the blob.
    public var source: String
    /// Images per inference batch when evaluating.
    public var batch: Int
    /// Labels beyond the model's classes: refused (the default) or counted as wrong.
    public var unknownLabels: Evaluator.UnknownLabels

    public init(config: QuantizationConfig, prune: PruningMethod? = nil, amount: Double = 0.5, settings: PruneSettings = PruneSettings(),
                source: String = "", batch: Int = 64, unknownLabels: Evaluator.UnknownLabels = .refuse) {
        self.config = config; self.prune = prune; self.amount = amount; self.settings = settings
        self.source = source; self.batch = batch; self.unknownLabels = unknownLabels
    }

    /// Prunes (when asked), quantizes and compares `model`; evaluates both models on `images` when given.
    public func run(_ model: Model, images: DecodedImages? = nil) throws -> Result {
        var model = model
        if let prune { model = try settings.prune(model, method: prune, amount: amount).0 }
        let quantized = try Quantizer.quantize(model.stateDict, config: config, architecture: model.architecture, source: source)
        let blob = BlobCodec.encode(quantized)
        var dequantized = model
        dequantized.stateDict = quantized.dequantized()
        let noise = try quantized.noise(against: model.stateDict)
        var accuracy: (before: Double, after: Double)?
        if let images {
            accuracy = (try Evaluator.evaluate(model, on: images, batch: batch, unknownLabels: unknownLabels).classification.accuracy,
                        try Evaluator.evaluate(dequantized, on: images, batch: batch, unknownLabels: unknownLabels).classification.accuracy)
        }
        return Result(model: model, quantized: quantized, blob: blob, dequantized: dequantized, noise: noise,
                      total: QuantizationNoise.total(noise), accuracyBefore: accuracy?.before, accuracyAfter: accuracy?.after)
    }
}
