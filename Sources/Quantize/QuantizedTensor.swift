// QuantizedTensor: one named entry of a quantized model, as the blob stores it: min-max
// codes, or values kept as raw float32 (tensors not quantized) or int64 (integer buffers
// such as num_batches_tracked).

import NNCore

/// A named tensor of a `QuantizedModel`.
public struct QuantizedTensor: Equatable, Sendable {
    /// How the values are stored.
    public enum Payload: Equatable, Sendable {
        /// Min-max quantized codes.
        case codes(QuantizedCodes)
        /// Kept as float32 values (row-major).
        case float32([Float])
        /// Integer values (row-major), stored as int64.
        case int64([Int64])

        /// A state-dict tensor kept as it is: floating as float32, integer as int64.
        init(raw stored: StoredTensor) {
            switch stored {
            case .float(let t, _): self = .float32(t.scalars)
            case .integer(let t, _): self = .int64(t.scalars)
            }
        }
    }

    /// The state-dict key, e.g. `layer1.0.conv1.weight`.
    public var name: String
    /// The tensor's sizes.
    public var shape: [Int]
    public var payload: Payload

    public init(name: String, shape: [Int], payload: Payload) {
        self.name = name
        self.shape = shape
        self.payload = payload
    }

    /// The codes, or nil when the tensor is kept raw.
    public var codes: QuantizedCodes? {
        if case .codes(let codes) = payload { return codes }
        return nil
    }

    /// The entry as a state-dict tensor: dequantized or raw float32, or int64.
    public func dequantized() -> StoredTensor {
        switch payload {
        case .codes(let c): return .float(Tensor(shape: shape, scalars: c.dequantized()), .float32)
        case .float32(let v): return .float(Tensor(shape: shape, scalars: v), .float32)
        case .int64(let v): return .integer(IntTensor(shape: shape, scalars: v), .int64)
        }
    }
}
