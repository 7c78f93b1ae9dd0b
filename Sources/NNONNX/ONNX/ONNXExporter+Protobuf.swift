// ONNXExporter+Protobuf: the protobuf values the exporter writes: attributes (INT, INTS,
// FLOAT, STRING) and initializers (float32 and int64, little-endian raw data).

import Foundation
import NNCore
import ONNXProto

extension ONNXExporter.GraphExport {
    func string(_ name: String, _ value: String) -> Onnx_AttributeProto {
        Onnx_AttributeProto.with { $0.name = name; $0.type = .string; $0.s = Data(value.utf8) }
    }

    func floatTensor(_ name: String, _ dims: [Int], _ values: [Float]) -> Onnx_TensorProto {
        Onnx_TensorProto.with {
            $0.name = name; $0.dims = dims.map(Int64.init); $0.dataType = Int32(ONNXFile.float)
            $0.rawData = values.map { $0.bitPattern.littleEndian }.withUnsafeBytes { Data($0) }
        }
    }

    func integerTensor(_ name: String, _ dims: [Int], _ values: [Int64]) -> Onnx_TensorProto {
        Onnx_TensorProto.with {
            $0.name = name; $0.dims = dims.map(Int64.init); $0.dataType = Int32(ONNXFile.int64)
            $0.rawData = values.map { $0.littleEndian }.withUnsafeBytes { Data($0) }
        }
    }

    func int(_ name: String, _ value: Int) -> Onnx_AttributeProto {
        Onnx_AttributeProto.with { $0.name = name; $0.type = .int; $0.i = Int64(value) }
    }

    func ints(_ name: String, _ values: [Int]) -> Onnx_AttributeProto {
        Onnx_AttributeProto.with { $0.name = name; $0.type = .ints; $0.ints = values.map(Int64.init) }
    }

    func ints(_ name: String, _ size: Size2) -> Onnx_AttributeProto { ints(name, [size.h, size.w]) }

    func float(_ name: String, _ value: Float) -> Onnx_AttributeProto {
        Onnx_AttributeProto.with { $0.name = name; $0.type = .float; $0.f = value }
    }
}
