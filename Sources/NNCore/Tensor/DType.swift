// DType: the element types a checkpoint may store, named as torch names them.

/// Element type of a stored tensor, as written in the checkpoint.
///
/// Floating types are widened or narrowed to float32 on load (float64 rounds to nearest);
/// integer and bool types load into `IntTensor`.
public enum DType: String, Sendable, CaseIterable {
    case float32, float16, bfloat16, float64
    case int64, int32, int16, int8, uint8, bool

    /// Size of one element in bytes.
    public var byteCount: Int {
        switch self {
        case .float64, .int64: return 8
        case .float32, .int32: return 4
        case .float16, .bfloat16, .int16: return 2
        case .int8, .uint8, .bool: return 1
        }
    }

    /// True for the floating types, which load as `Tensor`.
    public var isFloatingPoint: Bool {
        switch self {
        case .float32, .float16, .bfloat16, .float64: return true
        default: return false
        }
    }
}
