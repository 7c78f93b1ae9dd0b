// ONNXImporter+Folding: shape arithmetic evaluated at import. The TorchScript exporter
// writes `x.chunk(2, dim=1)` as Shape → Gather(1) → Add → Div → Mul → Slice, and with
// dynamic axes ShuffleNet's `x.view(batch, groups, C // groups, H, W)` as Shape → Gather →
// Div → Cast → Unsqueeze → Concat → Reshape. A shape value is a list of `Dimension`s:
// channel counts are known at import (read off the parameters), so arithmetic on them and
// on constants is folded to numbers; the batch size and each node's own height and width
// stay symbols, which a Reshape may use only in their own place (`view(N, C, H, W)` of the
// same tensor); arithmetic on a symbol gives a run-time size, and any op that needs it as a
// number is refused naming the node that computed it and how to export without it.

import NNCore
import ONNXProto

extension ONNXImporter.GraphTranslation {
    /// One entry of a shape computed at run time.
    enum Dimension: Equatable, CustomStringConvertible {
        /// A number: a channel count or a constant, or arithmetic on them.
        case known(Int)
        /// The batch size.
        case batch
        /// Height (axis 2) or width (axis 3) of graph node `node`'s output.
        case spatial(node: Int, axis: Int)
        /// Arithmetic on the batch or an image size, done by `origin` ("node 'n' (Op)").
        case runtime(origin: String)

        var description: String {
            switch self {
            case .known(let v): return "\(v)"
            case .batch: return "batch"
            case .spatial(_, let axis): return axis == 2 ? "height" : "width"
            case .runtime: return "?"
            }
        }
    }

    /// How to export a model whose shapes Shears can fold.
    static let fixedSizeWayOut = "export with a fixed input size (no dynamic_axes or dynamic_shapes on height and width)"

    /// `d` as a number, for input `k` of `n`; the batch or an image size is refused.
    func known(_ d: Dimension, _ n: ONNXAttributes, input k: Int) throws -> Int {
        let what = "input \(k) ('\(n.node.input[k])')"
        switch d {
        case .known(let v): return v
        case .batch: throw n.unsupported("\(what) depends on the batch size where Shears needs a number; \(Self.fixedSizeWayOut.replacingOccurrences(of: "height and width", with: "the batch"))")
        case .spatial: throw n.unsupported("\(what) depends on the image size where Shears needs a number; \(Self.fixedSizeWayOut)")
        case .runtime(let origin): throw n.unsupported("\(what) depends on the batch or image size through \(origin); Shears folds shape arithmetic only on channel counts: \(Self.fixedSizeWayOut)")
        }
    }

    /// Whether `n` computes on shapes: some input is a folded shape, or every input an integer
    /// constant (for Slice and Gather, whose other inputs are indices: the data, input 0).
    func isShapeArithmetic(_ n: ONNXAttributes) -> Bool {
        let data = ["Slice", "Gather"].contains(n.node.opType) ? Array(n.node.input.prefix(1)) : n.node.input
        let inputs = data.filter { !$0.isEmpty }.map { values[$0] }
        return inputs.contains { if case .shape? = $0 { return true }; return false }
            || inputs.allSatisfy { if case .constant(let c)? = $0 { return c.integers != nil && c.dims.count <= 1 }; return false }
    }

    /// Input `k` of `n` as shape entries: a folded shape, or integer constants of at most one axis.
    func dimensions(_ n: ONNXAttributes, _ k: Int) throws -> [Dimension] {
        switch values[n.node.input[k]] {
        case .shape(let dims)?: return dims
        case .constant(let c)?:
            guard let integers = c.integers, c.dims.count <= 1 else { throw n.unsupported("input \(k) ('\(n.node.input[k])') must be integers of at most one axis; \(Self.fixedSizeWayOut)") }
            return integers.map { .known(Int($0)) }
        default: throw n.unsupported("input \(k) ('\(n.node.input[k])') must be a shape or integer constant, not a tensor computed from the image; \(Self.fixedSizeWayOut)")
        }
    }

    /// `Shape` (opset 15's `start` and `end` too): the batch, the channels, the node's own H and W.
    mutating func shapeOf(_ n: ONNXAttributes) throws {
        let origin = Dimension.runtime(origin: "node '\(n.node.name)' (Shape)")
        var dims: [Dimension]
        switch values[n.node.input[0]] {
        case .constant(let c)?: dims = c.dims.map { .known($0) }
        case .node(let index, let rank)?:
            dims = rank == 3 ? [.batch, currentChannels(of: index).map(Dimension.known) ?? origin, .spatial(node: index, axis: 2), .spatial(node: index, axis: 3)]
                             : [.batch, origin]
        case .pointwise(let views, _)? where !views.isEmpty:
            let base = views[0]
            dims = base.rank == 3 ? [.batch, currentChannels(of: base.base).map(Dimension.known) ?? origin, .spatial(node: base.base, axis: 2), .spatial(node: base.base, axis: 3)]
                                  : [.batch, origin]
        default: throw n.unsupported("takes the shape of '\(n.node.input[0])', which is not a tensor Shears knows the layout of; \(Self.fixedSizeWayOut)")
        }
        let count = dims.count
        let clamp = { (v: Int) -> Int in min(max(v < 0 ? v + count : v, 0), count) }
        let start = clamp(try n.int("start", 0, in: Int.min...Int.max)), end = clamp(try n.int("end", count, in: Int.min...Int.max))
        values[n.node.output[0]] = .shape(start < end ? Array(dims[start..<end]) : [])
    }

    /// `Gather` along axis 0 of a shape, at constant indices.
    mutating func foldGather(_ n: ONNXAttributes) throws {
        let data = try dimensions(n, 0)
        guard try n.int("axis", 0, in: Int.min...Int.max) == 0 else { throw n.unsupported("gathers a shape along an axis other than 0; \(Self.fixedSizeWayOut)") }
        guard let indices = try integers(n, 1) else { throw n.unsupported("needs constant indices; \(Self.fixedSizeWayOut)") }
        values[n.node.output[0]] = .shape(try indices.map { i in
            guard (-data.count..<data.count).contains(i) else { throw n.invalid("index \(i) is outside the \(data.count) entries of the shape") }
            return data[i < 0 ? i + data.count : i]
        })
    }

    /// `Slice` of a shape: axis 0, step 1.
    mutating func foldSlice(_ n: ONNXAttributes) throws {
        let data = try dimensions(n, 0)
        let starts = try integers(n, 1) ?? [], ends = try integers(n, 2) ?? []
        guard starts.count == 1, ends.count == 1, [[0], [-1]].contains(try integers(n, 3) ?? [0]), try integers(n, 4) ?? [1] == [1] else {
            throw n.unsupported("only a slice of a shape's entries (axis 0, step 1) is folded; \(Self.fixedSizeWayOut)")
        }
        let clamp = { (v: Int) -> Int in min(max(v < 0 ? v + data.count : v, 0), data.count) }
        let (begin, end) = (clamp(starts[0]), clamp(ends[0]))
        values[n.node.output[0]] = .shape(begin < end ? Array(data[begin..<end]) : [])
    }

    /// `Concat` of shapes (axis 0).
    mutating func foldConcat(_ n: ONNXAttributes) throws {
        guard try n.int("axis", 0, in: Int.min...Int.max) == 0 else { throw n.unsupported("concatenates shapes along an axis other than 0; \(Self.fixedSizeWayOut)") }
        values[n.node.output[0]] = .shape(try n.node.input.indices.flatMap { try dimensions(n, $0) })
    }

    /// `Unsqueeze` or `Squeeze` of one shape entry (a scalar and a one-entry list are alike
    /// here), or `Cast` of a shape to an integer type; a Cast of a tensor to float passes it.
    mutating func foldReshaping(_ n: ONNXAttributes) throws {
        let name = n.node.input[0]
        if n.node.opType == "Cast", case .node? = values[name] {
            guard try n.int("to", ONNXFile.float, in: Int.min...Int.max) == ONNXFile.float else { throw n.unsupported("casts a tensor to a type other than float; Shears runs float32 tensors: export the model in float32") }
            values[n.node.output[0]] = values[name]
            return
        }
        let dims = try dimensions(n, 0)
        switch n.node.opType {
        case "Cast":
            let to = try n.int("to", ONNXFile.int64, in: Int.min...Int.max)
            guard to == ONNXFile.int64 || to == ONNXFile.int32 else { throw n.unsupported("casts a shape to type \(to); Shears folds integer shapes only; \(Self.fixedSizeWayOut)") }
        default:
            guard dims.count == 1 else { throw n.unsupported("\(n.node.opType.lowercased())s a shape of \(dims.count) entries; Shears folds only single sizes; \(Self.fixedSizeWayOut)") }
        }
        values[n.node.output[0]] = .shape(dims)
    }

    /// Add, Sub, Mul, Div of shapes (broadcasting a single entry); integer division
    /// truncates, as ONNX Runtime's does. Arithmetic on a symbol is a run-time size, except
    /// adding 0 or multiplying or dividing by 1.
    mutating func foldArithmetic(_ n: ONNXAttributes) throws {
        let a = try dimensions(n, 0), b = try dimensions(n, 1)
        guard a.count == b.count || a.count == 1 || b.count == 1 else { throw n.invalid("shapes of \(a.count) and \(b.count) entries do not broadcast") }
        guard !a.isEmpty, !b.isEmpty else { values[n.node.output[0]] = .shape([]); return }
        let op = n.node.opType
        let runtime = Dimension.runtime(origin: "node '\(n.node.name)' (\(op))")
        values[n.node.output[0]] = .shape(try (0..<max(a.count, b.count)).map { k in
            let (x, y) = (a[a.count == 1 ? 0 : k], b[b.count == 1 ? 0 : k])
            guard case .known(let q) = y else {
                return (op == "Add" && x == .known(0)) || (op == "Mul" && x == .known(1)) ? y : runtime
            }
            guard case .known(let p) = x else {
                return (q == 0 && (op == "Add" || op == "Sub")) || (q == 1 && (op == "Mul" || op == "Div")) ? x : runtime
            }
            let result: (partialValue: Int, overflow: Bool)
            switch op {
            case "Add": result = p.addingReportingOverflow(q)
            case "Sub": result = p.subtractingReportingOverflow(q)
            case "Mul": result = p.multipliedReportingOverflow(by: q)
            case "Div":
                guard q != 0 else { throw n.invalid("divides a shape entry by 0") }
                result = p.dividedReportingOverflow(by: q)
            default: throw n.unsupported("\(op) of shapes is not folded (Add, Sub, Mul, Div are); \(Self.fixedSizeWayOut)")
            }
            guard !result.overflow else { throw n.invalid("\(p) \(op) \(q) overflows") }
            return .known(result.partialValue)
        })
    }
}
