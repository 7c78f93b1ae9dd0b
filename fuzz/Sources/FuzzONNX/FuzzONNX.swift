// FuzzONNX: the ONNX reader: protobuf decoding (depth-limited), initializer decoding and
// the graph translation (node order, constant folding, op and attribute checks, shapes).
// External data is looked up beside a path that does not exist, so it is always refused.
// Corpus: fuzz/corpus/onnx.

import Foundation
import FuzzSupport
import NN
@testable import NNONNX

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzONNX(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzInput(data, size) { bytes in
        let path = "/nonexistent/shears-fuzz/input.onnx"
        _ = try ONNXImporter.model(of: try ONNXFile.parse(Data(bytes), path: path), path: path)
    }
}
