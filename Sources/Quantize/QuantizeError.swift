// QuantizeError: every error the Quantize module throws, one line each, naming the file or tensor.

import NN

/// Errors from quantizing, encoding and decoding blobs.
public enum QuantizeError: Error, CustomStringConvertible, Equatable {
    /// Bit width outside 2...8.
    case invalidBits(Int)
    /// A blob file that is not a Shears blob or is damaged.
    case malformedBlob(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidBits(let bits): return "invalid bit width \(bits): use 2 to 8"
        case .malformedBlob(let path, let reason): return "\(path): not a valid Shears blob: \(reason)"
        }
    }
}
