// QuantizedModel+QuantizedNames: which tensors a quantized model stores as codes, for the
// tests' expectations (no library code asks).

import Quantize

extension QuantizedModel {
    /// Names of the tensors stored as codes, in model order.
    var quantizedNames: [String] { tensors.filter { $0.codes != nil }.map(\.name) }
}
