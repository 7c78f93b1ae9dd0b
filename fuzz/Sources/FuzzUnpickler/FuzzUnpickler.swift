// FuzzUnpickler: the restricted pickle machine, as plain values (what blobs use) and as a
// legacy torch.save file (five pickles, persistent storage ids, tensor rebuilding, the
// state-dict normalizer and the module-tree reader). Corpus: fuzz/corpus/unpickler.

import FuzzSupport
import NN
@testable import NNTorchIO

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzUnpickler(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzInput(data, size) { bytes in
        _ = try? Unpickler.plainValue(bytes, path: "input.pkl")
        _ = try Checkpoint.contents(bytes, path: "input.pt")
    }
}
