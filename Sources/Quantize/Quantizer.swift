// Quantizer: min-max quantization of a whole state dict (the seed's uint8 `.pkl`,
// generalised to 2-8 bits and per-channel ranges). It chooses which tensors become codes
// and keeps the rest raw; the arithmetic is MinMaxRange's, the file format BlobCodec's.

import NNCore

/// Quantizes state dicts.
public enum Quantizer {
    /// Quantizes every selected floating tensor of `stateDict`, keeping the rest raw.
    ///
    /// Selected: floating tensors with more than one element (weights, biases, BatchNorm
    /// weight/bias/running_mean/running_var); with `onlyWeights`, only `*.weight` tensors of
    /// rank ≥ 2. Other floating tensors stay float32, integer tensors become int64.
    /// - Parameters:
    ///   - architecture: architecture name recorded in the blob, if known.
    ///   - source: file name of the checkpoint, recorded in the blob.
    /// - Throws: `QuantizeError.invalidBits`; `QuantizeError.unquantizable` for a selected
    ///   tensor with NaN or infinite values, or whose `max - min` overflows float32.
    public static func quantize(_ stateDict: StateDict, config: QuantizationConfig,
                                architecture: String? = nil, source: String = "") throws -> QuantizedModel {
        try config.validate()
        var tensors = [QuantizedTensor]()
        for (name, stored) in stateDict.entries {
            var payload = QuantizedTensor.Payload(raw: stored)
            if let t = stored.floatTensor, selects(name: name, tensor: t, config: config) {
                payload = .codes(try quantize(t, name: name, config: config))
            }
            tensors.append(QuantizedTensor(name: name, shape: stored.shape, payload: payload))
        }
        return QuantizedModel(architecture: architecture, source: source, bits: config.bits,
                              perChannel: config.perChannel, tensors: tensors)
    }

    /// Whether `config` turns the floating tensor `name` into codes.
    static func selects(name: String, tensor: Tensor, config: QuantizationConfig) -> Bool {
        guard tensor.count > 1 else { return false }
        guard config.onlyWeights else { return true }
        return tensor.rank >= 2 && (name == "weight" || name.hasSuffix(".weight"))
    }

    /// Codes of one tensor; per channel only for rank ≥ 2.
    static func quantize(_ tensor: Tensor, name: String, config: QuantizationConfig) throws -> QuantizedCodes {
        guard tensor.scalars.allSatisfy({ $0.isFinite }) else {
            throw QuantizeError.unquantizable(tensor: name, reason: "it holds NaN or infinite values")
        }
        let perChannel = config.perChannel && tensor.rank >= 2
        let ranges = QuantizedCodes.ranges(of: tensor.scalars, channels: perChannel ? tensor.shape[0] : 1)
        for range in ranges where !(range.max - range.min).isFinite {
            throw QuantizeError.unquantizable(
                tensor: name, reason: "range \(range.min)...\(range.max) is wider than float32 can hold")
        }
        return QuantizedCodes(quantizing: tensor.scalars, ranges: ranges, bits: config.bits, perChannel: perChannel)
    }
}
