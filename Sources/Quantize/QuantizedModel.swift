// QuantizedModel: a quantized state dict, in state-dict order, with what the blob records
// about where it came from (architecture, source file) and how it was quantized.
// Encoding to bytes is BlobCodec's; noise metrics are in QuantizedModel+Noise.swift.

import NNCore

/// The result of `Quantizer.quantize`, and what a blob decodes to.
public struct QuantizedModel: Equatable, Sendable {
    /// Architecture name (e.g. `resnet18`), when known.
    public var architecture: String?
    /// File name of the checkpoint that was quantized.
    public var source: String
    /// Bits per code of the quantized tensors, 2...8.
    public var bits: Int
    /// Whether tensors of rank ≥ 2 have one range per output channel.
    public var perChannel: Bool
    /// Entries in state-dict order.
    public var tensors: [QuantizedTensor]

    public init(architecture: String?, source: String, bits: Int, perChannel: Bool, tensors: [QuantizedTensor]) {
        self.architecture = architecture
        self.source = source
        self.bits = bits
        self.perChannel = perChannel
        self.tensors = tensors
    }

    /// The state dict the model stands for: codes dequantized to float32, raw tensors as stored.
    public func dequantized() -> StateDict {
        var stateDict = StateDict()
        for tensor in tensors { stateDict[tensor.name] = tensor.dequantized() }
        return stateDict
    }
}
