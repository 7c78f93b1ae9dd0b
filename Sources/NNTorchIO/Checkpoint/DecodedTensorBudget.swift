// DecodedTensorBudget: what a checkpoint's tensors will take once decoded, checked against the
// `MemoryBudget` before any is decoded. A tensor's decoded size can be far above its bytes in
// the file: a stride-0 view expands one stored element to millions, and every stored type
// widens (float16 → 4-byte floats, bool → 8-byte integers). Each tensor and the running sum
// over the file are checked, and the error names the file, the tensor and the size.

import NNCore

package enum DecodedTensorBudget {
    /// Bytes a tensor costs beside its elements (key, shape, bookkeeping), so that a million
    /// empty tensors count too.
    static let bytesPerKey = 256

    /// Throws `NNError.overBudget` for `path` when one tensor, or all of them so far, would
    /// exceed the budget decoded: 4 bytes per element of a floating type (or a type Shears
    /// does not decode), 8 per element of an integer one, plus `bytesPerKey` and the key.
    package static func check(_ tensors: [(key: String, shape: [Int], dtype: DType?)], path: String) throws {
        var total = 0
        for (index, tensor) in tensors.enumerated() {
            let bytes = (tensor.shape + [tensor.dtype?.isFloatingPoint == false ? 8 : 4]).checkedProduct
            try MemoryBudget.check(bytes, for: "tensor '\(tensor.key)' of size \(tensor.shape)", path: path)
            total += (bytes ?? 0) + bytesPerKey + tensor.key.utf8.count
            try MemoryBudget.check(total, for: "its tensors up to '\(tensor.key)' (\(index + 1) of \(tensors.count))", path: path)
        }
    }
}
