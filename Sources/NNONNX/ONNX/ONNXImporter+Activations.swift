// ONNXImporter+Activations: element-wise ops (Relu, Clip, LeakyRelu, Sigmoid, HardSigmoid,
// HardSwish, Gelu, Erf, Tanh, Neg, and Add/Sub/Mul/Div/Pow with a scalar constant or of two
// functions of one tensor) and the activations they spell. Each value computed element-wise
// keeps its views: the same value as an `ONNXExpression` of earlier graph nodes. A view that
// is a layer (ONNXExpression.layer) is emitted as that layer on the view's base, the
// deepest base first: Sigmoid then Mul of the same x is SiLU; Div, Erf, Add, Mul, Mul is
// GELU (the tanh form likewise); x · HardSigmoid(x) and x · relu6(x + 3) / 6 are
// HardSwish. Otherwise Add and Mul of two graph nodes are a residual sum and an element-wise
// or squeeze-excite product (ONNXImporter+Gates), and any other value stays element-wise
// until a later op completes a layer; one that reaches a non-element-wise op or the output
// unfinished is refused, naming the node that computed it.

import NNCore
import ONNXProto

extension ONNXImporter.GraphTranslation {
    /// A value as an element-wise function of graph node `base` (whose output has `rank`).
    struct PointwiseView {
        var base: Int
        var rank: Int
        var expression: ONNXExpression
    }

    /// How many views a value keeps (those over the nearest bases).
    static let maximumViews = 4

    /// The refusal of an element-wise value no layer computes, made by `producer`.
    func unmatched(_ producer: String) -> NNError {
        .unsupported(path: path, reason: "\(producer): computes an element-wise function Shears has no layer for (it reads ReLU, ReLU6, LeakyReLU, Clip, Sigmoid, HardSigmoid, HardSwish, SiLU and GELU in any spelling of their element-wise ops); replace it by one of these modules and export again")
    }

    /// Input `k`'s views: a graph node is x of itself, then whatever functions of earlier nodes it equals.
    func pointwiseViews(_ n: ONNXAttributes, _ k: Int) -> [PointwiseView]? {
        let name = n.node.input[k]
        switch values[name] {
        case .node(let index, let rank)?: return [PointwiseView(base: index, rank: rank, expression: .x)] + (views[name] ?? [])
        case .pointwise(let views, _)?: return views
        default: return nil
        }
    }

    /// Relu, Clip, LeakyRelu, Sigmoid, HardSigmoid, HardSwish, Gelu, Erf, Tanh, Neg.
    mutating func activation(_ n: ONNXAttributes) throws {
        let f: (ONNXExpression) -> ONNXExpression?
        switch n.node.opType {
        case "Relu": f = { $0.applying(.relu) }
        case "Sigmoid": f = { $0.applying(.sigmoid) }
        case "Erf": f = { $0.applying(.erf) }
        case "Tanh": f = { $0.applying(.tanh) }
        case "Neg": f = { $0.scaled(by: -1) }
        case "HardSwish": f = { ONNXExpression.hardSwish(of: $0) }
        case "HardSigmoid":
            let (alpha, beta) = (try n.float("alpha", 0.2), try n.float("beta", 0.5))
            f = { $0.applying(.hardSigmoid(alpha: alpha, beta: beta)) }
        case "LeakyRelu":
            let slope = try n.float("alpha", 0.01)
            f = { $0.applying(.leakyRelu(slope: slope)) }
        case "Gelu":
            let approximate = try n.string("approximate") ?? "none"
            guard approximate == "none" || approximate == "tanh" else { throw n.invalid("approximate '\(approximate)' is not none or tanh") }
            f = { ONNXExpression.gelu(of: $0, tanh: approximate == "tanh") }
        default: // Clip
            /// The bound of constant input `k`, else of the attribute `name` (opset < 11).
            func bound(_ k: Int, _ name: String, _ fallback: Float) throws -> Float {
                guard let c = try constant(n, k) else { return try n.float(name, fallback, infinite: true) }
                guard let v = c.floats, v.count == 1, !v[0].isNaN else { throw n.invalid("input \(k) ('\(n.node.input[k])') is not a float scalar") }
                return v[0]
            }
            let (lower, upper) = (try bound(1, "min", -.greatestFiniteMagnitude), try bound(2, "max", .greatestFiniteMagnitude))
            f = { $0.applying(.clip(lower: lower, upper: upper)) }
        }
        guard let inputs = pointwiseViews(n, 0) else { _ = try graphInput(n, 0); return }
        try settle(n, inputs.compactMap { v in f(v.expression).map { PointwiseView(base: v.base, rank: v.rank, expression: $0) } })
    }

    /// Add, Sub, Mul, Div, Pow of functions of one tensor or with a scalar constant; Add and
    /// Mul of two graph nodes; Add of a constant vector after a bias-free MatMul (its bias).
    mutating func arithmetic(_ n: ONNXAttributes) throws {
        let op = n.node.opType
        if op == "Add", case .node(let index, _)? = values[n.node.input[0]], case .constant(let c)? = values[n.node.input[1]],
           case .linear = builder.nodes[index].op, stateDict["\(builder.nodes[index].name).bias"] == nil, let bias = c.floats, c.dims.count == 1 {
            stateDict.setTensor("\(builder.nodes[index].name).bias", Tensor(shape: [bias.count], scalars: bias))
            values[n.node.output[0]] = values[n.node.input[0]]
            return
        }
        /// Input `k` as a scalar constant, nil when it is not a constant; other constants are refused.
        func scalar(_ k: Int) throws -> Double? {
            guard case .constant(let c)? = values[n.node.input[k]] else { return nil }
            guard c.count == 1, let value = c.floats?.first.map(Double.init) ?? c.integers?.first.map(Double.init), value.isFinite else {
                throw n.unsupported("input \(k) ('\(n.node.input[k])'): a constant operand is supported only as a scalar, or as the bias after MatMul")
            }
            return value
        }
        let (a, b) = (try scalar(0), try scalar(1))
        guard a == nil || b == nil else { throw n.unsupported("computes on two constants; only shapes are folded") }
        if op == "Div" || op == "Pow", b == nil { throw n.unsupported("\(op) by a tensor; only by a scalar constant") }
        func combine(_ p: ONNXExpression, _ q: ONNXExpression) -> ONNXExpression? {
            switch op {
            case "Add": return p.adding(q)
            case "Sub": return q.scaled(by: -1).flatMap(p.adding)
            case "Mul": return p.multiplied(by: q)
            case "Div": return b.flatMap { $0 == 0 ? nil : p.scaled(by: 1 / $0) }
            default: // Pow: a small whole exponent
                guard let e = b, e == e.rounded(), (1...Double(ONNXExpression.maximumPower)).contains(e) else { return nil }
                return (1..<Int(e)).reduce(Optional(p)) { power, _ in power?.multiplied(by: p) }
            }
        }
        var candidates: [PointwiseView] = []
        if let a {
            guard let right = pointwiseViews(n, 1) else { _ = try graphInput(n, 1); return }
            candidates = right.compactMap { v in combine(.number(a), v.expression).map { PointwiseView(base: v.base, rank: v.rank, expression: $0) } }
        } else if let b {
            guard let left = pointwiseViews(n, 0) else { _ = try graphInput(n, 0); return }
            candidates = left.compactMap { v in combine(v.expression, .number(b)).map { PointwiseView(base: v.base, rank: v.rank, expression: $0) } }
        } else {
            guard let left = pointwiseViews(n, 0) else { _ = try graphInput(n, 0); return }
            guard let right = pointwiseViews(n, 1) else { _ = try graphInput(n, 1); return }
            for p in left { for q in right where p.base == q.base {
                if let e = combine(p.expression, q.expression) { candidates.append(PointwiseView(base: p.base, rank: p.rank, expression: e)) }
            } }
        }
        let nodes = (values[n.node.input[0]], values[n.node.input[1]])
        guard (op == "Add" || op == "Mul"), case .node? = nodes.0, case .node? = nodes.1 else { try settle(n, candidates); return }
        try settle(n, candidates) { translation in
            let (first, second) = (try translation.graphInput(n, 0), try translation.graphInput(n, 1))
            if op == "Add" {
                translation.emit(n, .add, [first.index, second.index], rank: first.rank)
            } else {
                translation.emitProduct(n, first, second)
            }
        }
    }

    /// Emits the layer the deepest of `candidates` is; else `fallback` (an op on whole graph
    /// nodes); else keeps `n`'s output element-wise, to be completed by later ops.
    private mutating func settle(_ n: ONNXAttributes, _ candidates: [PointwiseView], fallback: ((inout Self) throws -> Void)? = nil) throws {
        let output = n.node.output[0]
        let kept = Array(candidates.sorted { $0.base > $1.base }.prefix(Self.maximumViews))
        for view in kept.reversed() {
            guard let op = view.expression.layer else { continue }
            if op == .identity {
                values[output] = .node(view.base, rank: view.rank)
            } else {
                emit(n, op, [view.base], rank: view.rank)
                views[output] = kept
            }
            return
        }
        if let fallback {
            try fallback(&self)
            views[output] = kept
        } else {
            values[output] = .pointwise(kept, producer: "node '\(n.node.name)' (\(n.node.opType))")
        }
    }
}
