// FuzzTorchExport: the torch.export `.pt2` reader (zip, the ExportedProgram JSON, weight
// records, the ATen graph's translation and its shape checks) on any bytes.
// Corpus: fuzz/corpus/pt2.

import FuzzSupport
import NN

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTorchExport(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzInput(data, size) { bytes in
        _ = try TorchExportImporter.read(bytes, path: "input.pt2")
    }
}
