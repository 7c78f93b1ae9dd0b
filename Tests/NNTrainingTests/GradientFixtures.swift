// GradientFixtures: the cases scripts/fixtures/gradients_elementwise.py wrote with torch
// (Tests/Fixtures/gradients/elementwise): each op's inputs, upstream gradient, output and input
// gradients, or a loss's logits, loss and gradient; and the tolerance the issue sets for
// gradients (per tensor: max |difference| / max |torch's value|).

import NNCore
@testable import NNTraining
import TestSupport
import XCTest

/// One case of `cases.json`: an op (or a loss), its attributes, and its arrays by name.
struct GradientCase: Decodable {
    let name: String
    let op: String
    let attributes: Attributes
    let arrays: [Entry]

    struct Entry: Decodable { let name: String; let shape: [Int] }

    struct Attributes: Decodable {
        var slope, lower, upper, alpha, beta, labelSmoothing, temperature: Float?
        var tanh, ceilMode, countIncludePad: Bool?
        var kernel, stride, padding, dilation, start, count, groups: Int?
        var size, labels: [Int]?
        var scale, shift: [Float]?
    }

    /// Runs `body` on every case of the fixture whose op is one of `ops`, with the case's arrays;
    /// fails unless there are `expected` such cases.
    static func each(_ ops: Set<String>, expected: Int, file: StaticString = #filePath, line: UInt = #line,
                     _ body: (GradientCase, [String: Tensor]) throws -> Void) throws {
        let cases = try Fixtures.json("gradients/elementwise/cases.json", as: [GradientCase].self).filter { ops.contains($0.op) }
        XCTAssertEqual(cases.count, expected, "cases of \(ops.sorted())", file: file, line: line)
        for c in cases { try body(c, try c.tensors()) }
    }

    /// The case's arrays by name (`x0`, `dy`, `y`, `dx0`, …, or `logits`, `loss`, `gradient`).
    func tensors() throws -> [String: Tensor] {
        let scalars = try Fixtures.float32("gradients/elementwise/\(name).f32")
        var result: [String: Tensor] = [:], offset = 0
        for entry in arrays {
            let count = entry.shape.reduce(1, *)
            guard offset + count <= scalars.count else { throw FixtureError.missing("\(name).f32: \(entry.name)") }
            result[entry.name] = Tensor(shape: entry.shape, scalars: Array(scalars[offset ..< offset + count]))
            offset += count
        }
        return result
    }

    /// The op's inputs `x0, x1, …`.
    func inputs(_ tensors: [String: Tensor]) -> [Tensor] {
        arrays.compactMap { $0.name.hasPrefix("x") ? tensors[$0.name] : nil }
    }

    /// The graph op the case stands for.
    var graphOp: Op {
        get throws {
            let a = attributes
            func window() -> Pool2dAttributes {
                Pool2dAttributes(kernel: Size2(a.kernel ?? 1), stride: Size2(a.stride ?? a.kernel ?? 1), padding: Size2(a.padding ?? 0),
                                 dilation: Size2(a.dilation ?? 1), ceilMode: a.ceilMode ?? false, countIncludePad: a.countIncludePad ?? true)
            }
            switch op {
            case "relu": return .relu
            case "relu6": return .relu6
            case "leakyRelu": return .leakyRelu(slope: a.slope ?? 0.01)
            case "clip": return .clip(lower: a.lower ?? -.infinity, upper: a.upper ?? .infinity)
            case "sigmoid": return .sigmoid
            case "hardSigmoid": return .hardSigmoid(alpha: a.alpha ?? 1 / 6, beta: a.beta ?? 0.5)
            case "hardSwish": return .hardSwish
            case "silu": return .silu
            case "gelu": return .gelu(tanh: a.tanh ?? false)
            case "maxPool": return .maxPool(window())
            case "avgPool": return .avgPool(window())
            case "adaptiveAvgPool": return .adaptiveAvgPool(Size2(a.size?[0] ?? 1, a.size?[1] ?? 1))
            case "add": return .add
            case "mul": return .mul
            case "concat": return .concat
            case "channelSlice": return .channelSlice(start: a.start ?? 0, count: a.count ?? 1)
            case "channelShuffle": return .channelShuffle(groups: a.groups ?? 1)
            case "flatten": return .flatten
            case "channelAffine": return .channelAffine(scale: a.scale ?? [], shift: a.shift ?? [])
            default: throw FixtureError.missing("\(name): op \(op) is not a graph op")
            }
        }
    }

    /// The case's node, reading nodes `1...` (any index above 0: every input needs a gradient).
    func node(inputs: Int) throws -> Node {
        Node(name: name, op: try graphOp, inputs: Array(1...max(inputs, 1)))
    }

    /// The backward's context for this case's node, every input needing its gradient.
    static func context(_ node: Node, _ inputs: [Tensor], output: Tensor, gradient: Tensor) -> BackwardContext {
        BackwardContext(node: node, inputs: inputs, output: output, gradient: gradient,
                        needsInputGradient: inputs.map { _ in true }, training: true)
    }
}

/// Asserts `max |actual − expected| <= tolerance · max |expected|` (the measure, per tensor) and equal shapes.
func assertRelativelyClose(_ actual: Tensor?, _ expected: Tensor?, _ tolerance: Float = 1e-4, _ what: String,
                           file: StaticString = #filePath, line: UInt = #line) {
    guard let actual, let expected else { return XCTFail("\(what): missing tensor", file: file, line: line) }
    XCTAssertEqual(actual.shape, expected.shape, what, file: file, line: line)
    let scale = expected.scalars.reduce(Float(0)) { max($0, abs($1)) }
    let worst = maxAbsoluteDifference(actual.scalars, expected.scalars)
    XCTAssertTrue(worst.value <= tolerance * scale, "\(what): max |difference| \(worst.value) at \(worst.index) (\(actual.scalars[worst.index]) vs \(expected.scalars[worst.index])) over max |torch| \(scale)",
                  file: file, line: line)
}
