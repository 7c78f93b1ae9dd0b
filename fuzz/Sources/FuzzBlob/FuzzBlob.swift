// FuzzBlob: Shears' quantized blob (a protocol-4 pickle of plain values) through the
// restricted unpickler and the blob decoder's field and range checks, then dequantized.
// Corpus: fuzz/corpus/blob.

import FuzzSupport
import NN
import Quantize

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBlob(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzInput(data, size) { bytes in
        let model = try BlobCodec.decode(try Unpickler.plainValue(bytes, path: "input.pkl"), path: "input.pkl")
        _ = model.dequantized()
    }
}
