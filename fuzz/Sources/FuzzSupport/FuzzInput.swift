// FuzzInput: the body of every LLVMFuzzerTestOneInput. A reader may refuse an input by
// throwing (that is its job); a crash, a trap, a sanitizer report or a hang is a finding.

/// Copies libFuzzer's input into an array and runs `reader` on it, discarding thrown errors.
/// Returns 0, which tells libFuzzer to keep the input in the corpus if it found new coverage.
public func fuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int, _ reader: ([UInt8]) throws -> Void) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do { try reader(bytes) } catch {}
    return 0
}
