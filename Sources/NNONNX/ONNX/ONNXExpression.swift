// ONNXExpression: an element-wise function of one tensor x, kept in a canonical form so
// that the many ways exporters spell an activation compare equal: products are multiplied
// out into a sum of terms `c · xᵖ · f₁(e₁) · f₂(e₂) …` plus a constant, like terms merged,
// and terms and factors compared as unordered collections (coefficients to a relative 1e-6,
// what float32 constants allow). GELU written as `0.5 · x · (1 + erf(x / √2))`,
// `x · 0.5 · (erf(x · 0.7071) + 1)` or ONNXExporter's Div/Erf/Add/Mul/Mul are all
// `0.5·x + 0.5·x·erf(0.7071·x)`; its steps (`geluSteps`) also follow ConvNeXt's
// channels-last form (ONNXImporter+LayerNorm's GELUPart). Expressions are bounded (terms, nesting), so that a file's
// chains of element-wise ops cannot grow them without limit: an operation past the bounds
// gives nil, and the value is then no layer Shears knows.

import NNCore

/// `constant + Σ terms`, a function of x.
struct ONNXExpression {
    /// `coefficient · x^power · Π factors`.
    struct Term {
        var coefficient: Double
        var power: Int
        var factors: [Factor]
    }

    /// `function(argument)`.
    struct Factor {
        var function: Function
        var argument: ONNXExpression
    }

    /// The element-wise functions an expression may apply.
    enum Function: Equatable {
        case erf, tanh, sigmoid, relu
        case clip(lower: Float, upper: Float)
        case hardSigmoid(alpha: Float, beta: Float)
        case leakyRelu(slope: Float)
    }

    var constant: Double
    var terms: [Term]

    /// The most terms an expression (with its arguments) holds, the deepest nesting of
    /// functions, and the highest power of x.
    static let maximumSize = 32, maximumDepth = 4, maximumPower = 8

    /// x itself.
    static let x = ONNXExpression(constant: 0, terms: [Term(coefficient: 1, power: 1, factors: [])])

    /// The constant `value`.
    static func number(_ value: Double) -> ONNXExpression { ONNXExpression(constant: value, terms: []) }

    /// Terms here and in every argument, and the deepest nesting of functions.
    var size: Int { terms.reduce(terms.count) { sum, term in term.factors.reduce(sum) { $0 + $1.argument.size } } }
    var depth: Int { terms.lazy.flatMap(\.factors).map { $0.argument.depth + 1 }.max() ?? 0 }

    // MARK: Arithmetic

    /// `self + other`, like terms merged.
    func adding(_ other: ONNXExpression) -> ONNXExpression? {
        var result = ONNXExpression(constant: constant + other.constant, terms: terms)
        for term in other.terms {
            if let k = result.terms.firstIndex(where: { $0.power == term.power && Self.same($0.factors, term.factors) }) {
                result.terms[k].coefficient += term.coefficient
            } else {
                result.terms.append(term)
            }
        }
        result.terms.removeAll { $0.coefficient == 0 }
        return result.bounded
    }

    /// `self · c`.
    func scaled(by c: Double) -> ONNXExpression? {
        guard c.isFinite else { return nil }
        return ONNXExpression(constant: constant * c, terms: c == 0 ? [] : terms.map { Term(coefficient: $0.coefficient * c, power: $0.power, factors: $0.factors) })
    }

    /// `self · other`, multiplied out.
    func multiplied(by other: ONNXExpression) -> ONNXExpression? {
        guard var result = other.scaled(by: constant), let own = ONNXExpression(constant: 0, terms: terms).scaled(by: other.constant),
              let sum = result.adding(own) else { return nil }
        result = sum
        for a in terms {
            for b in other.terms {
                guard a.power + b.power <= Self.maximumPower,
                      let product = result.adding(ONNXExpression(constant: 0, terms: [Term(coefficient: a.coefficient * b.coefficient, power: a.power + b.power, factors: a.factors + b.factors)]))
                else { return nil }
                result = product
            }
        }
        return result.bounded
    }

    /// `function(self)`.
    func applying(_ function: Function) -> ONNXExpression? {
        ONNXExpression(constant: 0, terms: [Term(coefficient: 1, power: 0, factors: [Factor(function: function, argument: self)])]).bounded
    }

    /// `self`, or nil past the bounds.
    private var bounded: ONNXExpression? { size <= Self.maximumSize && depth <= Self.maximumDepth ? self : nil }

    // MARK: Comparison

    /// Whether two numbers agree as far as float32 constants allow.
    static func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-6 * max(1, abs(a), abs(b)) }

    /// Whether `self` and `other` are the same function (terms in any order).
    func matches(_ other: ONNXExpression) -> Bool {
        Self.close(constant, other.constant) && Self.sameCollection(terms, other.terms) { a, b in
            a.power == b.power && Self.close(a.coefficient, b.coefficient) && Self.same(a.factors, b.factors)
        }
    }

    /// Whether two lists of factors hold the same factors, in any order.
    private static func same(_ a: [Factor], _ b: [Factor]) -> Bool {
        sameCollection(a, b) { p, q in
            let sameFunction: Bool
            switch (p.function, q.function) {
            case let (.clip(l1, u1), .clip(l2, u2)): sameFunction = closeOrEqual(l1, l2) && closeOrEqual(u1, u2)
            case let (.hardSigmoid(a1, b1), .hardSigmoid(a2, b2)): sameFunction = close(Double(a1), Double(a2)) && close(Double(b1), Double(b2))
            case let (.leakyRelu(s1), .leakyRelu(s2)): sameFunction = close(Double(s1), Double(s2))
            default: sameFunction = p.function == q.function
            }
            return sameFunction && p.argument.matches(q.argument)
        }
    }

    /// Clip bounds: equal infinities, or close numbers.
    private static func closeOrEqual(_ a: Float, _ b: Float) -> Bool { a == b || (a.isFinite && b.isFinite && close(Double(a), Double(b))) }

    /// Whether each element of `a` pairs with its own element of `b` under `equal`.
    private static func sameCollection<T>(_ a: [T], _ b: [T], _ equal: (T, T) -> Bool) -> Bool {
        guard a.count == b.count else { return false }
        var unused = Array(b.indices)
        for p in a {
            guard let k = unused.firstIndex(where: { equal(p, b[$0]) }) else { return false }
            unused.remove(at: k)
        }
        return true
    }

    // MARK: Layers

    /// `nn.GELU`: `x/2 · (1 + erf(x/√2))`, or with `tanh` `x/2 · (1 + tanh(√(2/π)·(x + 0.044715·x³)))`.
    static func gelu(of e: ONNXExpression, tanh: Bool) -> ONNXExpression? {
        geluSteps(of: e, tanh: tanh)[4]
    }

    /// GELU of `e` step by step, as exporters write it: the argument `a` of erf (`e/√2`) or
    /// tanh, `f(a)`, `1 + f(a)`, `e · (1 + f(a))`, and the GELU (that times 0.5).
    static func geluSteps(of e: ONNXExpression, tanh: Bool) -> [ONNXExpression?] {
        let inner = tanh ? e.multiplied(by: e).flatMap { $0.multiplied(by: e) }?.scaled(by: 0.044715).flatMap { $0.adding(e) }?.scaled(by: (2 / Double.pi).squareRoot())
                         : e.scaled(by: 1 / 2.0.squareRoot())
        let function = inner?.applying(tanh ? .tanh : .erf), shifted = function?.adding(.number(1)), timesE = shifted?.multiplied(by: e)
        return [inner, function, shifted, timesE, timesE?.scaled(by: 0.5)]
    }

    /// `nn.Hardswish`: `x · hardsigmoid(x)` (alpha 1/6, beta 1/2).
    static func hardSwish(of e: ONNXExpression) -> ONNXExpression? {
        e.applying(.hardSigmoid(alpha: 1 / 6, beta: 0.5))?.multiplied(by: e)
    }

    /// Activations written out element-wise, with the layer each is.
    private static let spelledLayers: [(Op, ONNXExpression?)] = [
        (.silu, x.applying(.sigmoid)?.multiplied(by: x)),
        (.gelu(tanh: false), gelu(of: x, tanh: false)),
        (.gelu(tanh: true), gelu(of: x, tanh: true)),
        (.hardSwish, hardSwish(of: x)),
        // x · relu6(x + 3) / 6 and relu6(x + 3) / 6, torch's older spellings.
        (.hardSwish, x.adding(.number(3))?.applying(.clip(lower: 0, upper: 6))?.multiplied(by: x)?.scaled(by: 1 / 6)),
        (.hardSigmoid(alpha: 1 / 6, beta: 0.5), x.adding(.number(3))?.applying(.clip(lower: 0, upper: 6))?.scaled(by: 1 / 6)),
    ]

    /// The Shears layer computing this function of x (`.identity` for x itself), or nil.
    var layer: Op? {
        if matches(.x) { return .identity }
        if constant == 0, terms.count == 1, terms[0].coefficient == 1, terms[0].power == 0, terms[0].factors.count == 1,
           terms[0].factors[0].argument.matches(.x) {
            switch terms[0].factors[0].function {
            case .relu: return .relu
            case .sigmoid: return .sigmoid
            case .clip(let lower, let upper): return lower == 0 && upper == 6 ? .relu6 : lower == 0 && upper == .greatestFiniteMagnitude ? .relu : .clip(lower: lower, upper: upper)
            case .hardSigmoid(let alpha, let beta): return .hardSigmoid(alpha: alpha, beta: beta)
            case .leakyRelu(let slope): return .leakyRelu(slope: slope)
            case .erf, .tanh: return nil
            }
        }
        return Self.spelledLayers.first { $0.1.map(matches) ?? false }?.0
    }
}
