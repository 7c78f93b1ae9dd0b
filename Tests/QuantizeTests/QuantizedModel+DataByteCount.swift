// QuantizedModel+DataByteCount: the bytes of tensor data a blob stores, for the tests that pin
// the packed sizes (no library code asks; `shears quantize` reports the encoded blob's size).

import Quantize

extension QuantizedTensor {
    /// Bytes of stored data in the blob: packed codes, 4 per float32, 8 per int64.
    var dataByteCount: Int {
        switch payload {
        case .codes(let c): return BitPacking.byteCount(codes: c.codes.count, bits: c.bits)
        case .float32(let v): return v.count * 4
        case .int64(let v): return v.count * 8
        }
    }
}

extension QuantizedModel {
    /// Bytes of tensor data in the blob (packed codes and raw values), without headers.
    var dataByteCount: Int { tensors.reduce(0) { $0 + $1.dataByteCount } }
}
