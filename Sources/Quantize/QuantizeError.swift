// QuantizeError: every error the Quantize module throws, one line each, naming the file or tensor.

import NNCore

/// Errors from quantizing, encoding and decoding blobs.
public enum QuantizeError: Error, CustomStringConvertible, Equatable {
    /// Bit width outside 2...8.
    case invalidBits(Int)
    /// A blob file that is not a Shears blob or is damaged.
    case malformedBlob(path: String, reason: String)
    /// A tensor whose values min-max quantization cannot represent (NaN, infinities).
    case unquantizable(tensor: String, reason: String)
    /// A reference tensor that does not correspond to the quantized one (missing, other shape).
    case mismatch(tensor: String, reason: String)

    public var description: String {
        switch self {
        case .invalidBits(let bits): return "invalid bit width \(bits): use 2 to 8"
        case .malformedBlob(let path, let reason): return "\(path): not a valid Shears blob: \(reason)"
        case .unquantizable(let tensor, let reason): return "cannot quantize '\(tensor)': \(reason)"
        case .mismatch(let tensor, let reason): return "'\(tensor)': \(reason)"
        }
    }
}
