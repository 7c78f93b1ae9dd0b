// InBoundsOutputs: which output positions of a sliding window read inside the input, so that
// kernels can loop over them without a bounds test per element.

/// Output positions `o ∈ [0, outputs)` whose input index `o·stride − padding + offset` lies in
/// `[0, inputSize)`: `o` from `⌈(padding − offset) / stride⌉` to `⌊(inputSize − 1 + padding − offset) / stride⌋`.
/// Empty when no position does.
func inBoundsOutputs(_ outputs: Int, inputSize: Int, stride: Int, padding: Int, offset: Int) -> Range<Int> {
    let first = padding - offset
    let last = inputSize - 1 + padding - offset
    guard last >= 0 else { return 0..<0 }
    let lower = first <= 0 ? 0 : (first + stride - 1) / stride
    let upper = min(outputs, last / stride + 1)
    return lower < upper ? lower..<upper : 0..<0
}
