// FuzzONNXShapes: the ONNX importer's attribute validation with shape inference and the
// engine. Mutated protobuf bytes rarely parse, so the fuzz bytes instead choose a model: a
// short chain of supported ops (Conv, BatchNormalization, activations, pools, ReduceMean,
// Add, Mul, Concat, Split, Slice, Gather, a channel shuffle, Flatten/Reshape, Gemm/MatMul),
// their attributes (mostly small valid values, sometimes edge ones: 0, −1, 2^16, 2^31, 2^62,
// Int.max, NaN, a wrong count or type, an unknown auto_pad), initializer shapes, the input
// size, batch and threads. The ModelProto is serialized and goes the real way:
// `ONNXFile.parse` → `ONNXImporter` → `ModelStatistics` (ShapeInference) at that input; a
// model under a million MACs and elements then runs once on zeros and every output must be
// finite (weights, BN statistics and float attributes are small finite numbers, BN variances
// positive, so a NaN or an infinity is a finding), unless a Clip bound clamps every value to
// an infinity or past ±1e15 (min above 1e15 or max below -1e15: torch.clamp and ONNX Runtime
// give those values too, a convolution's sums of them overflow to ±inf as torch's do, and one
// over mixed-sign weights turns infinities into NaN). A thrown error is a clean refusal. The
// memory budget is 256 MB, well under the 2 GB a run may use. Corpus: fuzz/corpus/onnxshapes.

import Foundation
import FuzzSupport
import NN
import ONNXProto
import SwiftProtobuf
@testable import NNONNX

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzONNXShapes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzInput(data, size) { bytes in
        MemoryBudget.limit = 256 << 20
        var choices = Choices(bytes)
        let run = ModelChoice.make(&choices)
        let path = "/nonexistent/shears-fuzz/shapes.onnx"
        let serialized: [UInt8] = try run.proto.serializedBytes()
        let model = try ONNXImporter.model(of: try ONNXFile.parse(Data(serialized), path: path), path: path)
        let input = run.input, batch = run.batch
        let statistics = try ModelStatistics(model: model, input: input)
        let elements = statistics.layers.reduce(input.reduce(1, *)) { $0 + $1.outputShape.reduce(1, *) }
        guard statistics.macs < 1_000_000, elements * batch < 1_000_000 else { return }
        let executor = try Executor(model: model, input: input, maxBatch: batch, threads: run.threads,
                                    sparseDensityLimit: run.sparseDensityLimit, winograd: run.winograd)
        let output = try executor.run(Tensor(shape: [batch] + input))
        if run.finite, let bad = output.scalars.first(where: { !$0.isFinite }) {
            fatalError("\(bad) in the output of finite weights on zeros: \(model.graph.nodes.map { "\($0.name) \($0.op) \($0.inputs)" })")
        }
    }
}

/// The fuzz bytes read as choices; past the end every byte is 0 (the first, safest choice).
struct Choices {
    private let bytes: [UInt8]
    private var at = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func byte() -> Int {
        defer { at += 1 }
        return at < bytes.count ? Int(bytes[at]) : 0
    }

    /// True for `n` of the 256 byte values.
    mutating func chance(_ n: Int) -> Bool { byte() < n }

    /// Integers a hostile file tries: zero, negatives, the bounds and past them, overflow.
    static let edges = [0, -1, -2, 65_535, 65_536, 65_537, 1 << 24, 1 << 31, 1 << 62, Int.max, Int.min, 100_000]

    /// Mostly `usual` (the byte modulo its size), one byte value in eight an edge integer.
    mutating func int(_ usual: ClosedRange<Int>) -> Int {
        let b = byte()
        return b >= 224 ? Self.edges[b % Self.edges.count] : usual.lowerBound + b % usual.count
    }

    /// `count` values from `usual`, one time in sixteen one too many or too few.
    mutating func ints(_ count: Int, _ usual: ClosedRange<Int>) -> [Int] {
        let b = byte()
        let n = b >= 240 ? count + 1 : b >= 224 ? max(count - 1, 0) : count
        return (0..<n).map { _ in int(usual) }
    }

    /// Mostly in `usual`; one byte value in sixteen NaN, an infinity or an out-of-range number.
    mutating func float(_ usual: ClosedRange<Float>) -> Float {
        let b = byte()
        if b >= 240 { return [Float.nan, .infinity, -.infinity, -1, 0, 1e-30, 3e38, -0.0][b % 8] }
        return usual.lowerBound + Float(b) / 240 * (usual.upperBound - usual.lowerBound)
    }
}

/// Builds the model the choices describe, and how to run it.
struct ModelChoice {
    var proto: Onnx_ModelProto
    /// The input `[C, H, W]` shapes are inferred at (and the Executor runs on).
    var input: [Int]
    var batch: Int, threads: Int
    var winograd: Bool
    /// nil (measured crossovers), 0 (always dense) or 1 (every ungrouped conv sparse).
    var sparseDensityLimit: Double?
    /// False when a Clip bound clamps to an infinity or a value past ±1e15, so a non-finite output is correct.
    var finite = true

    static func make(_ r: inout Choices) -> ModelChoice {
        var builder = Builder()
        let input = [r.int(1...4), r.int(1...16), r.int(1...16)]
        var channels = min(max(input[0], 1), 64), current = "input", features: Int? = nil
        var earlier: [String] = []
        var finite = true
        for k in 0..<(1 + r.byte() % 8) {
            let name = "n\(k)"
            let before = current
            switch r.byte() % 16 {
            case 0, 1:
                // Now and then 32-40 channels, so that Winograd's channel minimum can be met.
                let out = r.chance(224) ? r.int(1...8) : 32 + r.byte() % 9, group = r.chance(200) ? 1 : r.chance(128) ? channels : r.int(1...4)
                let kernel = [r.int(1...8), r.int(1...8)]
                let inPerGroup = r.chance(240) ? max(channels / max(group, 1), 1) : r.int(1...4)
                builder.floats("\(name).weight", [out, inPerGroup] + kernel, &r)
                var attributes: [Onnx_AttributeProto] = []
                if r.chance(128) { attributes.append(.ints("strides", r.ints(2, 1...3))) }
                if r.chance(96) { attributes.append(.ints("dilations", r.ints(2, 1...3))) }
                if r.chance(128) { attributes.append(.ints("pads", r.ints(4, 0...3))) }
                if r.chance(32) { attributes.append(.ints("kernel_shape", r.chance(200) ? kernel : r.ints(2, 1...5))) }
                if r.chance(64) { attributes.append(.int("group", group)) }
                if r.chance(16) { attributes.append(autoPad(&r)) }
                if r.chance(8) { attributes.append(.with { $0.name = "strides"; $0.type = .float; $0.f = 1 }) }
                let bias = r.chance(160) ? ["\(name).bias"] : []
                if !bias.isEmpty { builder.floats(bias[0], [r.chance(240) ? out : r.int(1...8)], &r) }
                current = builder.node("Conv", [current, "\(name).weight"] + bias, name, attributes)
                channels = out
            case 2:
                let count = r.chance(240) ? channels : r.int(1...8)
                for part in ["scale", "bias", "mean"] { builder.floats("\(name).\(part)", [count], &r) }
                builder.floats("\(name).var", [count], &r, positive: true)
                let eps: [Onnx_AttributeProto] = r.chance(128) ? [.float("epsilon", r.chance(224) ? 1e-5 : r.float(0...1))] : []
                current = builder.node("BatchNormalization", [current] + ["scale", "bias", "mean", "var"].map { "\(name).\($0)" }, name,
                                       eps + (r.chance(8) ? [.int("training_mode", r.int(0...1))] : []))
            case 3, 4:
                let op = ["Relu", "LeakyRelu", "Sigmoid", "HardSigmoid", "HardSwish", "Clip", "Identity", "Dropout"][r.byte() % 8]
                var attributes: [Onnx_AttributeProto] = []
                var inputs = [current]
                switch op {
                case "LeakyRelu": attributes = [.float("alpha", r.float(-2...2))]
                case "HardSigmoid": attributes = [.float("alpha", r.float(-2...2)), .float("beta", r.float(-2...2))]
                case "Clip":
                    if r.chance(128) {
                        builder.floats("\(name).min", [1], &r)
                        builder.floats("\(name).max", r.chance(224) ? [1] : [2], &r)
                        inputs += ["\(name).min", "\(name).max"]
                    } else {
                        let (lower, upper) = (r.float(-3...0), r.float(0...6))
                        attributes = [.float("min", lower), .float("max", upper)]
                        // A bound past ±1e15 (an infinity included) clamps every value to that size, whose
                        // sums with the weights may overflow: torch gives ±inf there too.
                        if lower > 1e15 || upper < -1e15 { finite = false }
                    }
                default: break
                }
                current = builder.node(op, inputs, name, attributes)
            case 5, 6:
                let op = r.chance(128) ? "MaxPool" : "AveragePool"
                var attributes: [Onnx_AttributeProto] = r.chance(248) ? [.ints("kernel_shape", r.ints(2, 1...4))] : []
                if r.chance(128) { attributes.append(.ints("strides", r.ints(2, 1...3))) }
                if r.chance(96) { attributes.append(.ints("pads", r.ints(4, 0...2))) }
                if r.chance(48) { attributes.append(.ints("dilations", r.ints(2, 1...3))) }
                if r.chance(64) { attributes.append(.int("ceil_mode", r.int(0...1))) }
                if r.chance(64) { attributes.append(.int(op == "MaxPool" ? "storage_order" : "count_include_pad", r.int(0...1))) }
                if r.chance(16) { attributes.append(autoPad(&r)) }
                current = builder.node(op, [current], name, attributes)
            case 7:
                if r.chance(128) {
                    current = builder.node("GlobalAveragePool", [current], name)
                } else {
                    builder.integers("\(name).axes", r.chance(224) ? [2, 3] : r.ints(2, -4...3))
                    let keep = r.int(0...1)
                    current = builder.node("ReduceMean", [current, "\(name).axes"], name, [.int("keepdims", keep)])
                    if keep == 0 { features = channels }
                }
            case 8, 9:
                let other = earlier.isEmpty || r.chance(64) ? current : earlier[r.byte() % earlier.count]
                let op = ["Add", "Mul", "Concat"][r.byte() % 3]
                current = builder.node(op, [current, other], name, op == "Concat" ? [.int("axis", r.chance(224) ? 1 : r.int(-4...3))] : [])
                if op == "Concat" { channels *= 2 }
            case 10:
                // Split into parts (sizes given or even), then continue from one of them.
                let parts = min(max(r.int(1...3), 0), 4)
                let sizes = r.chance(128) ? nil : r.ints(parts, 1...channels)
                if let sizes { builder.integers("\(name).split", sizes) }
                let outputs = (0..<parts).map { "\(name).\($0)" }
                builder.graph.node.append(Onnx_NodeProto.with {
                    $0.opType = "Split"; $0.name = name; $0.input = [current] + (sizes == nil ? [] : ["\(name).split"])
                    $0.output = outputs; $0.attribute = [.int("axis", r.chance(224) ? 1 : r.int(-4...3))]
                })
                let pick = r.byte() % max(outputs.count, 1)
                current = outputs.isEmpty ? current : outputs[pick]
                channels = sizes.map { $0.indices.contains(pick) ? $0[pick] : 1 } ?? (channels + parts) / max(parts, 1)
            case 11:
                let start = r.int(-4...channels), end = r.int(-4...channels + 2)
                builder.integers("\(name).starts", [start])
                builder.integers("\(name).ends", [end])
                builder.integers("\(name).axes", [r.chance(224) ? 1 : r.int(-4...3)])
                builder.integers("\(name).steps", [r.chance(224) ? 1 : r.int(-1...2)])
                current = builder.node("Slice", [current] + ["starts", "ends", "axes", "steps"].map { "\(name).\($0)" }, name)
                channels = max(1, min(max(end, 0), channels) - min(max(start, 0), channels))
            case 12:
                let count = min(max(r.int(1...channels), 1), 64)
                let first = min(max(r.int(0...max(channels - count, 0)), 0), 64)
                builder.integers("\(name).indices", r.chance(200) ? Array(first..<(first + count)) : r.ints(count, -2...channels))
                current = builder.node("Gather", [current, "\(name).indices"], name, [.int("axis", r.chance(224) ? 1 : r.int(-4...3))])
                channels = count
            case 13:
                // view(N, g, C/g, H, W) → transpose(1, 2) → view back: a channel shuffle.
                let groups = r.chance(200) ? [1, 2, 4][r.byte() % 3] : r.int(0...8)
                builder.integers("\(name).grouped", [-1, groups, max(channels / max(groups, 1), 1), 0, 0])
                builder.integers("\(name).back", [-1, channels, 0, 0])
                let viewed = builder.node("Reshape", [current, "\(name).grouped"], "\(name).view")
                let swapped = builder.node("Transpose", [viewed], "\(name).transpose", [.ints("perm", r.chance(224) ? [0, 2, 1, 3, 4] : r.ints(5, 0...4))])
                current = builder.node("Reshape", [swapped, "\(name).back"], name)
            case 14:
                if r.chance(128) {
                    current = builder.node("Flatten", [current], name, r.chance(32) ? [.int("axis", r.int(-4...3))] : [])
                } else {
                    builder.integers("\(name).shape", r.chance(224) ? [1, -1] : r.ints(2, -2...8))
                    current = builder.node("Reshape", [current, "\(name).shape"], name)
                }
                features = features ?? channels
            default:
                // A classifier head: pool, flatten, then Gemm (or MatMul) to a few classes.
                if features == nil {
                    current = builder.node("GlobalAveragePool", [current], "\(name).pool")
                    current = builder.node("Flatten", [current], "\(name).flatten")
                    features = channels
                }
                let classes = r.int(1...10), inputs = r.chance(240) ? features ?? channels : r.int(1...8)
                let gemm = r.chance(160), transB = gemm && r.chance(160)
                builder.floats("\(name).weight", transB ? [classes, inputs] : [inputs, classes], &r)
                var attributes: [Onnx_AttributeProto] = transB ? [.int("transB", r.chance(240) ? 1 : r.int(0...3))] : []
                if gemm && r.chance(64) { attributes += [.float("alpha", r.float(-2...2)), .float("beta", r.float(-2...2))] }
                if gemm && r.chance(16) { attributes.append(.int("transA", r.int(0...1))) }
                let bias = gemm && r.chance(160) ? ["\(name).bias"] : []
                if !bias.isEmpty { builder.floats(bias[0], [classes], &r) }
                current = builder.node(gemm ? "Gemm" : "MatMul", [current, "\(name).weight"] + bias, name, attributes)
                channels = classes
                features = classes
            }
            earlier.append(before)
            channels = min(max(channels, 1), 64)  // the generator's guess only; kept small
        }
        var proto = Onnx_ModelProto()
        proto.irVersion = 8
        proto.opsetImport = [Onnx_OperatorSetIdProto.with { $0.domain = ""; $0.version = 17 }]
        proto.graph = builder.graph
        proto.graph.input = [Onnx_ValueInfoProto.with { $0.name = "input" }]
        proto.graph.output = [Onnx_ValueInfoProto.with { $0.name = current }]
        let size = r.chance(232) ? input : [r.int(1...4), r.int(1...16), r.int(1...16)]
        return ModelChoice(proto: proto, input: size, batch: 1 + r.byte() % 3, threads: 1 + r.byte() % 2, winograd: r.chance(192),
                           sparseDensityLimit: [nil, 0, 1][r.byte() % 3], finite: finite)
    }

    /// `auto_pad`: one of ONNX's four values or something else.
    static func autoPad(_ r: inout Choices) -> Onnx_AttributeProto {
        .with { $0.name = "auto_pad"; $0.type = .string; $0.s = Data(["NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER", "same", ""][r.byte() % 6].utf8) }
    }

    /// A graph under construction.
    struct Builder {
        var graph = Onnx_GraphProto()

        /// Appends a node with one output, named `name`; returns the output's name.
        mutating func node(_ op: String, _ inputs: [String], _ name: String, _ attributes: [Onnx_AttributeProto] = []) -> String {
            graph.node.append(Onnx_NodeProto.with { $0.opType = op; $0.name = name; $0.input = inputs; $0.output = [name]; $0.attribute = attributes })
            return name
        }

        /// A float initializer of `dims` with small values from the bytes (in (0.5, 1.5] when
        /// `positive`); past 16,384 elements it holds none, which the importer must refuse.
        mutating func floats(_ name: String, _ dims: [Int], _ r: inout Choices, positive: Bool = false) {
            let count = dims.allSatisfy({ $0 >= 0 }) ? dims.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 } : 0
            let seed = r.byte()
            graph.initializer.append(Onnx_TensorProto.with {
                $0.name = name
                $0.dims = dims.map(Int64.init)
                $0.dataType = 1
                if count <= 16_384 {
                    $0.floatData = (0..<count).map { k in
                        let unit = Float((seed &* 31 &+ k &* 17) % 97) / 97
                        return positive ? 0.5 + unit : unit - 0.5
                    }
                }
            })
        }

        /// An int64 initializer holding `values`.
        mutating func integers(_ name: String, _ values: [Int]) {
            graph.initializer.append(Onnx_TensorProto.with {
                $0.name = name; $0.dims = [Int64(values.count)]; $0.dataType = 7; $0.int64Data = values.map(Int64.init)
            })
        }
    }
}

extension Onnx_AttributeProto {
    static func ints(_ name: String, _ values: [Int]) -> Onnx_AttributeProto {
        .with { $0.name = name; $0.type = .ints; $0.ints = values.map(Int64.init) }
    }

    static func int(_ name: String, _ value: Int) -> Onnx_AttributeProto {
        .with { $0.name = name; $0.type = .int; $0.i = Int64(value) }
    }

    static func float(_ name: String, _ value: Float) -> Onnx_AttributeProto {
        .with { $0.name = name; $0.type = .float; $0.f = value }
    }
}
