// RawTensorDecoder: turns densely packed little- (or big-) endian element bytes into a
// StoredTensor. Floating types become float32 (float16/bfloat16 exactly, float64 rounded
// to nearest); integer types become Int64.

/// Decodes contiguous raw element bytes of a known dtype and shape.
import NNCore

public enum RawTensorDecoder {
    /// `raw.count` must equal `prod(shape) * dtype.byteCount` (callers validate against the file first).
    public static func decode(_ raw: ArraySlice<UInt8>, dtype: DType, shape: [Int], bigEndian: Bool) -> StoredTensor {
        let count = shape.reduce(1, *)
        let size = dtype.byteCount
        let base = raw.startIndex
        func word(_ i: Int) -> UInt64 {
            var v: UInt64 = 0
            for b in 0..<size {
                let byte = UInt64(raw[base + i * size + (bigEndian ? size - 1 - b : b)])
                v |= byte << UInt64(8 * b)
            }
            return v
        }
        switch dtype {
        case .float32:
            return .float(Tensor(shape: shape, scalars: (0..<count).map { Float(bitPattern: UInt32(word($0))) }), dtype)
        case .float64:
            return .float(Tensor(shape: shape, scalars: (0..<count).map { Float(Double(bitPattern: word($0))) }), dtype)
        case .float16:
            return .float(Tensor(shape: shape, scalars: (0..<count).map { Float(Float16(bitPattern: UInt16(word($0)))) }), dtype)
        case .bfloat16:
            return .float(Tensor(shape: shape, scalars: (0..<count).map { Float(bitPattern: UInt32(word($0)) << 16) }), dtype)
        case .int64:
            return .integer(IntTensor(shape: shape, scalars: (0..<count).map { Int64(bitPattern: word($0)) }), dtype)
        case .int32:
            return .integer(IntTensor(shape: shape, scalars: (0..<count).map { Int64(Int32(bitPattern: UInt32(word($0)))) }), dtype)
        case .int16:
            return .integer(IntTensor(shape: shape, scalars: (0..<count).map { Int64(Int16(bitPattern: UInt16(word($0)))) }), dtype)
        case .int8:
            return .integer(IntTensor(shape: shape, scalars: (0..<count).map { Int64(Int8(bitPattern: UInt8(word($0)))) }), dtype)
        case .uint8, .bool:
            return .integer(IntTensor(shape: shape, scalars: (0..<count).map { Int64(word($0)) }), dtype)
        }
    }
}
