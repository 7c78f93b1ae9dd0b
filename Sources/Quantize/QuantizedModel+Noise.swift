// QuantizedModel+Noise: per-tensor quantization noise (RMSE, SQNR) against the original state dict.

import NNCore

extension QuantizedModel {
    /// RMSE and SQNR of every tensor stored as codes, in model order, against `original`.
    ///
    /// Tensors kept raw are exact and left out; combine the result with `QuantizationNoise.total`.
    /// - Throws: `QuantizeError.mismatch` when `original` lacks a quantized tensor, holds it
    ///   as integers, or with another shape.
    public func noise(against original: StateDict) throws -> [QuantizationNoise] {
        try tensors.compactMap { tensor in
            guard let codes = tensor.codes else { return nil }
            guard let stored = original[tensor.name] else {
                throw QuantizeError.mismatch(tensor: tensor.name, reason: "missing from the original state dict")
            }
            guard let reference = stored.floatTensor else {
                throw QuantizeError.mismatch(tensor: tensor.name, reason: "the original is an integer tensor")
            }
            guard reference.shape == tensor.shape else {
                throw QuantizeError.mismatch(tensor: tensor.name,
                                             reason: "shape \(tensor.shape) but the original has \(reference.shape)")
            }
            return QuantizationNoise(name: tensor.name, original: reference.scalars, dequantized: codes.dequantized())
        }
    }
}
