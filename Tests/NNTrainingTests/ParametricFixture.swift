// ParametricFixture: one case of Tests/Fixtures/gradients/parametric (written by
// scripts/fixtures/gradients_parametric.py with PyTorch): a one-node model (input → "layer")
// holding the case's parameters, the layer's forward and backward run through its static
// functions (the backward asked for the input's gradient too), and the comparison with
// torch's output and gradients.

import NNCore
@testable import NNTraining
import TestSupport
import XCTest

struct ParametricFixture: Decodable {
    struct Attributes: Decodable {
        var stride: [Int]?, padding: [Int]?, paddingEnd: [Int]?, dilation: [Int]?, groups: Int?
        var eps: Float?, momentum: Float?, training: Bool?
    }

    let name: String
    let op: String
    let attributes: Attributes
    let shapes: [String: [Int]]

    static let directory = "gradients/parametric"

    /// The largest difference relative to the reference's largest magnitude,
    /// `max|actual − torch| / max|torch|`, the measure every gradient test bounds (by 1e-4).
    static func maxRelativeDifference(_ actual: [Float], _ expected: [Float]) -> Float {
        let scale = expected.reduce(Float(0)) { max($0, abs($1)) }
        return maxAbsoluteDifference(actual, expected).value / max(scale, .leastNormalMagnitude)
    }

    /// The case called `name` in cases.json.
    static func load(_ name: String) throws -> ParametricFixture {
        let cases = try Fixtures.json("\(directory)/cases.json", as: [ParametricFixture].self)
        guard let fixture = cases.first(where: { $0.name == name }) else { throw FixtureError.missing("\(directory)/\(name)") }
        return fixture
    }

    /// The case's tensor `key` (x, weight, dy, dx, …), nil when the case has none.
    func tensor(_ key: String) throws -> Tensor? {
        guard let shape = shapes[key] else { return nil }
        return Tensor(shape: shape, scalars: try Fixtures.float32("\(ParametricFixture.directory)/\(name)/\(key).f32"))
    }

    /// The case's op as the graph holds it.
    var graphOp: Op {
        let a = attributes
        switch op {
        case "conv2d":
            let size = { (pair: [Int]?) in Size2(pair?[0] ?? 0, pair?[1] ?? 0) }
            return .conv2d(Conv2dAttributes(stride: size(a.stride), padding: size(a.padding), paddingEnd: size(a.paddingEnd),
                                            dilation: size(a.dilation), groups: a.groups ?? 1))
        case "linear": return .linear
        case "batchNorm": return .batchNorm(eps: a.eps ?? 0)
        case "layerNorm": return .layerNorm(eps: a.eps ?? 0)
        default: return .channelScale
        }
    }

    var training: Bool { attributes.training ?? true }

    /// `input → layer` with the case's parameters (and BatchNorm buffers) under torch's keys.
    func model() throws -> TrainableModel {
        var graph = GraphBuilder()
        graph.add("layer", graphOp, graph.input)
        var dict = StateDict()
        let keys = [("weight", graphOp == .channelScale ? "layer" : "layer.weight"), ("bias", "layer.bias"),
                    ("running_mean", "layer.running_mean"), ("running_var", "layer.running_var")]
        for (file, key) in keys {
            if let tensor = try tensor(file) { dict.setTensor(key, tensor) }
        }
        return try TrainableModel(Model(architecture: name, graph: graph.graph, stateDict: dict),
                                  batchNormMomentum: attributes.momentum ?? 0.1)
    }

    /// The layer's forward on `x`.
    static func forward(_ node: Node, _ x: Tensor, training: Bool, _ model: inout TrainableModel) throws -> Tensor {
        switch node.op {
        case .conv2d(let attributes): return try ConvolutionLayer.forward(node, x, attributes, model)
        case .linear: return try LinearLayer.forward(node, x, model)
        case .batchNorm(let eps): return try BatchNormLayer.forward(node, x, eps: eps, training: training, &model)
        case .layerNorm(let eps): return try LayerNormLayer.forward(node, x, eps: eps, model)
        default: return try ChannelScaleLayer.forward(node, x, model)
        }
    }

    /// The layer's backward for `gradient` at its output.
    static func backward(_ context: BackwardContext, _ model: TrainableModel) throws -> NodeGradient {
        switch context.node.op {
        case .conv2d(let attributes): return try ConvolutionLayer.backward(context, attributes, model)
        case .linear: return try LinearLayer.backward(context, model)
        case .batchNorm(let eps): return try BatchNormLayer.backward(context, eps: eps, model)
        case .layerNorm(let eps): return try LayerNormLayer.backward(context, eps: eps, model)
        default: return try ChannelScaleLayer.backward(context, model)
        }
    }

    /// Runs the case and asserts the output, `dx` and every parameter gradient within
    /// `max|Shears − torch| / max|torch| <= tolerance`; returns the model after the forward.
    @discardableResult
    func check(tolerance: Float = 1e-4, file: StaticString = #filePath, line: UInt = #line) throws -> TrainableModel {
        var model = try model()
        let node = model.graph.nodes[1]
        let x = try XCTUnwrap(try tensor("x"))
        let frozen = model
        let y = try ParametricFixture.forward(node, x, training: training, &model)
        try compare(y, "y", tolerance: tolerance, file: file, line: line)
        let dy = try XCTUnwrap(try tensor("dy"))
        let context = BackwardContext(node: node, inputs: [x], output: y, gradient: dy, needsInputGradient: [true], training: training)
        // The backward reads the parameters, which the forward does not change (buffers aside).
        let result = try ParametricFixture.backward(context, frozen)
        XCTAssertEqual(result.inputs.count, 1, name, file: file, line: line)
        try compare(try XCTUnwrap(result.inputs.first ?? nil), "dx", tolerance: tolerance, file: file, line: line)
        let expected = [("dweight", graphOp == .channelScale ? "layer" : "layer.weight"), ("dbias", "layer.bias")]
            .filter { shapes[$0.0] != nil }
        XCTAssertEqual(result.parameters.map(\.key), expected.map(\.1), "\(name): parameter gradient keys", file: file, line: line)
        for (file_, key) in expected {
            guard let gradient = result.parameters.first(where: { $0.key == key })?.gradient else { continue }
            try compare(gradient, file_, tolerance: tolerance, file: file, line: line)
        }
        return model
    }

    /// Asserts `actual` has the shape of the fixture's `key` and is within `tolerance` of it (relative to its max).
    func compare(_ actual: Tensor, _ key: String, tolerance: Float = 1e-4, file: StaticString = #filePath, line: UInt = #line) throws {
        let expected = try XCTUnwrap(try tensor(key), "\(name): no \(key)", file: file, line: line)
        XCTAssertEqual(actual.shape, expected.shape, "\(name): \(key) shape", file: file, line: line)
        let difference = ParametricFixture.maxRelativeDifference(actual.scalars, expected.scalars)
        XCTAssertLessThanOrEqual(difference, tolerance, "\(name): \(key) max relative difference", file: file, line: line)
    }
}
