// FuzzSafetensors: the safetensors reader (u64 header length, JSON header, offsets, dtypes).
// Corpus: fuzz/corpus/safetensors.

import FuzzSupport
import NN

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensors(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzInput(data, size) { bytes in
        _ = try SafetensorsReader.read(bytes, path: "input.safetensors")
    }
}
