// FuzzZip: the zip directory reader (classic and ZIP64 records, local headers) and every
// entry's bytes, then the whole torch zip checkpoint path on the same bytes.
// Corpus: fuzz/corpus/zip.

import FuzzSupport
import NN
@testable import NNTorchIO

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzZip(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzInput(data, size) { bytes in
        if let archive = try? ZipArchive(bytes: bytes, path: "input.zip") {
            for entry in archive.entries { _ = try? archive.data(of: entry) }
        }
        _ = try Checkpoint.contents(bytes, path: "input.pt")
    }
}
