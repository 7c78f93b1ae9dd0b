// ResultRecord: one measured point of a sweep, bench, quantization, sensitivity or profile
// run, the unit of `results.jsonl` (one JSON object per line, snake_case keys). Every field
// but kind, model, method and ratio is optional, so files written before a field existed
// still read.

import Foundation

/// One result point. Which fields are set depends on `kind`.
public struct ResultRecord: Codable, Equatable, Sendable {
    public var kind: Kind
    /// Model label, e.g. "teacher".
    public var model: String
    public var method: Method
    /// Overall pruning amount (fraction of weights or channels pruned).
    public var ratio: Double
    /// Iterative step rate (e.g. 0.05); nil for one-shot.
    public var step: Double?
    /// Iterative step number.
    public var steps: Int?
    /// Sensitivity: the one layer pruned. Profile: the node a step was lowered from (nil for
    /// the whole plan's record).
    public var layer: String?
    public var bits: Int?
    public var perChannel: Bool?
    public var accuracy: Double?
    public var correct: Int?
    public var images: Int?
    /// Parameters stored (conv/linear/BN weights and biases).
    public var parameters: Int?
    public var nonzero: Int?
    /// MACs per image of the network as stored (dense); profile: of the step (conv and linear
    /// only, `StepProfile.macs`) or the plan.
    public var macs: Int?
    /// MACs per image skipping zero weights.
    public var effectiveMacs: Int?
    /// Size of the model file (torch.save zip) in bytes.
    public var fileBytes: Int?
    /// Size of the quantized blob in bytes.
    public var blobBytes: Int?
    /// Bench: the form of the model timed.
    public var variant: Variant?
    public var batch: Int?
    /// Median milliseconds per batch (profile: of the step; for the plan, the sum of its steps').
    public var latencyMs: Double?
    public var latencyP90Ms: Double?
    public var imagesPerSecond: Double?
    /// Dense median over this variant's median.
    public var speedup: Double?
    /// Profile: the PyTorch module types a step runs, e.g. "Conv2d+BatchNorm2d+ReLU".
    public var op: String?
    /// Profile: the conv kernel a step runs on ("winograd", "direct", …) or its kind ("add", …).
    public var kernel: String?
    /// Profile: per-sample input and output shapes of the step (the model's for the plan).
    public var inputShape: [Int]?
    public var outputShape: [Int]?
    /// Profile: the step's fraction of the plan's time (1 for the plan).
    public var share: Double?
    /// Profile: `2 · macs · batch / latency`, in 10⁹ floating-point operations per second.
    public var gflops: Double?
    /// A "+ft" or "+kd" point: how it was trained.
    public var fineTuning: FineTuning?

    public init(kind: Kind, model: String, method: Method, ratio: Double, step: Double? = nil, steps: Int? = nil,
                layer: String? = nil, bits: Int? = nil, perChannel: Bool? = nil, accuracy: Double? = nil,
                correct: Int? = nil, images: Int? = nil, parameters: Int? = nil, nonzero: Int? = nil, macs: Int? = nil,
                effectiveMacs: Int? = nil, fileBytes: Int? = nil, blobBytes: Int? = nil, variant: Variant? = nil,
                batch: Int? = nil, latencyMs: Double? = nil, latencyP90Ms: Double? = nil, imagesPerSecond: Double? = nil,
                speedup: Double? = nil, op: String? = nil, kernel: String? = nil, inputShape: [Int]? = nil,
                outputShape: [Int]? = nil, share: Double? = nil, gflops: Double? = nil, fineTuning: FineTuning? = nil) {
        self.kind = kind; self.model = model; self.method = method; self.ratio = ratio; self.step = step
        self.steps = steps; self.layer = layer; self.bits = bits; self.perChannel = perChannel; self.accuracy = accuracy
        self.correct = correct; self.images = images; self.parameters = parameters; self.nonzero = nonzero
        self.macs = macs; self.effectiveMacs = effectiveMacs; self.fileBytes = fileBytes; self.blobBytes = blobBytes
        self.variant = variant; self.batch = batch; self.latencyMs = latencyMs; self.latencyP90Ms = latencyP90Ms
        self.imagesPerSecond = imagesPerSecond; self.speedup = speedup; self.op = op; self.kernel = kernel
        self.inputShape = inputShape; self.outputShape = outputShape; self.share = share; self.gflops = gflops
        self.fineTuning = fineTuning
    }

    enum CodingKeys: String, CodingKey {
        case kind, model, method, ratio, step, steps, layer, bits, accuracy, correct, images, parameters, nonzero, macs
        case perChannel = "per_channel", effectiveMacs = "effective_macs", fileBytes = "file_bytes", blobBytes = "blob_bytes"
        case variant, batch, latencyMs = "latency_ms", latencyP90Ms = "latency_p90_ms"
        case imagesPerSecond = "images_per_second", speedup
        case op, kernel, inputShape = "input_shape", outputShape = "output_shape", share, gflops
        case fineTuning = "fine_tuning"
    }

    /// The record as one line of JSON (sorted keys, no newline): the results.jsonl form.
    public func jsonLine() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// Identifies the point for resuming and de-duplicating: everything that says what was
    /// measured, nothing that is a measurement (a fine-tuned point's recipe is appended, so
    /// the keys of records without one are as before it existed).
    public var key: String {
        func text(_ value: Any?) -> String { value.map { "\($0)" } ?? "-" }
        return ([kind.rawValue, model, method.description, String(format: "%.6f", ratio), text(step.map { String(format: "%.6f", $0) }), text(steps),
                 text(layer), text(bits), text(perChannel), text(variant?.rawValue), text(batch)] + (fineTuning.map { [$0.keyText] } ?? [])).joined(separator: "|")
    }
}
