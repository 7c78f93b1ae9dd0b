// ONNXAttributes: one ONNX node's attributes, read by name with their declared type checked
// and their values validated at import, so that a negative dilation, a zero group, a NaN
// epsilon or an unknown auto_pad is refused in one line naming the file and the node instead
// of reaching a kernel. Windows (Conv, MaxPool, AveragePool): kernel_shape, strides and
// dilations two values each in 1...`ShapeInference.maximumWindow`, pads four values in
// 0...`maximumWindow` ([top, left, bottom, right]); auto_pad NOTSET, or VALID with no pads
// (SAME_UPPER and SAME_LOWER depend on the input size and are refused). ShapeInference checks
// the same bounds again for every op, whoever built it.

import NNCore
import Foundation
import ONNXProto

/// The attributes of one node, read with their types and values checked.
struct ONNXAttributes {
    let node: Onnx_NodeProto
    /// The ONNX file, named in errors.
    let path: String
    private var byName: [String: Onnx_AttributeProto] = [:]

    /// A window's stride, top/left and bottom/right padding, and dilation.
    struct Window {
        var stride: Size2, padding: Size2, paddingEnd: Size2, dilation: Size2
    }

    /// Throws when an attribute name appears twice (ONNX requires them unique).
    init(of node: Onnx_NodeProto, path: String) throws {
        self.node = node
        self.path = path
        for attribute in node.attribute where byName.updateValue(attribute, forKey: attribute.name) != nil {
            throw invalid("attribute '\(attribute.name)' is given twice")
        }
    }

    /// `.malformed`: the file breaks ONNX's rules at this node.
    func invalid(_ reason: String) -> NNError { .malformed(path: path, reason: "node '\(node.name)' (\(node.opType)): \(reason)") }

    /// `.unsupported`: valid ONNX at this node that Shears does not run.
    func unsupported(_ reason: String) -> NNError { .unsupported(path: path, reason: "node '\(node.name)' (\(node.opType)): \(reason)") }

    /// The attribute `name` if present, once its declared type is `type` (or left undeclared).
    private func attribute(_ name: String, _ type: Onnx_AttributeProto.AttributeType) throws -> Onnx_AttributeProto? {
        guard let attribute = byName[name] else { return nil }
        guard attribute.type == type || attribute.type == .undefined else {
            throw invalid("attribute '\(name)' is \("\(attribute.type)".uppercased()), not \("\(type)".uppercased())")
        }
        return attribute
    }

    /// The integer `name` (`fallback` when absent), which must lie in `range`.
    func int(_ name: String, _ fallback: Int, in range: ClosedRange<Int>) throws -> Int {
        let value = try attribute(name, .int).map { Int($0.i) } ?? fallback
        guard range.contains(value) else {
            throw invalid(range.upperBound == Int.max ? "\(name) \(value) must be at least \(range.lowerBound)"
                                                      : "\(name) \(value) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    /// The 0/1 flag `name` (false when absent).
    func flag(_ name: String) throws -> Bool { try int(name, 0, in: 0...1) == 1 }

    /// The integers `name`, nil when absent.
    func ints(_ name: String) throws -> [Int]? { try attribute(name, .ints).map { $0.ints.map(Int.init) } }

    /// The float `name` (`fallback` when absent); a NaN is refused, and so is an infinity
    /// unless `infinite`.
    func float(_ name: String, _ fallback: Float, infinite: Bool = false) throws -> Float {
        let value = try attribute(name, .float).map(\.f) ?? fallback
        guard value.isFinite || (infinite && !value.isNaN) else { throw invalid("\(name) \(value) is not a \(infinite ? "number" : "finite number")") }
        return value
    }

    /// The string `name` (UTF-8), nil when absent.
    func string(_ name: String) throws -> String? { try attribute(name, .string).map { String(decoding: $0.s, as: UTF8.self) } }

    /// The tensor `name`, nil when absent.
    func tensor(_ name: String) throws -> Onnx_TensorProto? { try attribute(name, .tensor).map(\.t) }

    /// The 2-D `kernel_shape`, each size in 1...`maximumWindow`; nil when absent.
    func kernelShape() throws -> Size2? {
        guard let shape = try ints("kernel_shape") else { return nil }
        guard shape.count == 2 else { throw unsupported("kernel_shape \(shape) is not 2-D; Shears runs 2-D windows") }
        try checkWindowValues("kernel_shape", shape, 1)
        return Size2(shape[0], shape[1])
    }

    /// Strides, pads and dilations of a 2-D Conv or pool window (defaults 1, 0 and 1).
    func window() throws -> Window {
        let strides = try ints("strides") ?? [1, 1], dilations = try ints("dilations") ?? [1, 1]
        var pads = try ints("pads")
        for (name, values, count) in [("strides", strides, 2), ("dilations", dilations, 2), ("pads", pads ?? [], pads == nil ? 0 : 4)]
        where values.count != count {
            throw unsupported("\(name) \(values) has \(values.count) values; a 2-D window has \(count)")
        }
        try checkWindowValues("strides", strides, 1)
        try checkWindowValues("dilations", dilations, 1)
        try checkWindowValues("pads", pads ?? [], 0)
        switch try string("auto_pad") ?? "NOTSET" {
        case "NOTSET": break
        case "VALID":
            guard pads == nil || pads == [0, 0, 0, 0] else { throw invalid("auto_pad VALID with pads \(pads!); ONNX allows one or the other") }
            pads = nil
        case let same where same == "SAME_UPPER" || same == "SAME_LOWER":
            throw unsupported("auto_pad \(same) pads by the input's size; re-export with explicit pads")
        case let other:
            throw invalid("auto_pad '\(other)' is not NOTSET, VALID, SAME_UPPER or SAME_LOWER")
        }
        let p = pads ?? [0, 0, 0, 0]
        return Window(stride: Size2(strides[0], strides[1]), padding: Size2(p[0], p[1]), paddingEnd: Size2(p[2], p[3]),
                      dilation: Size2(dilations[0], dilations[1]))
    }

    /// Throws unless every value is in `least`...`ShapeInference.maximumWindow`.
    private func checkWindowValues(_ name: String, _ values: [Int], _ least: Int) throws {
        guard values.allSatisfy({ (least...ShapeInference.maximumWindow).contains($0) }) else {
            throw invalid("\(name) \(values): each must be in \(least)...\(ShapeInference.maximumWindow)")
        }
    }
}
