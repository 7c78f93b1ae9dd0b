import XCTest
import TestSupport
@testable import NNCore
@testable import NNEngine

/// LayerNormStep against the formula in Double: over the channels at each position of a map
/// (with bias), and over the features of a vector (without bias, after a flatten).
final class LayerNormStepTests: XCTestCase {
    /// `y[c, p] = (x[c, p] − μ_p) / √(σ²_p + eps) · w[c] + b[c]` over `channels` rows of `spatial`.
    static func reference(_ x: [Float], channels: Int, spatial: Int, weight: [Float], bias: [Float], eps: Double) -> [Float] {
        var y = x
        for p in 0..<spatial {
            let column = (0..<channels).map { Double(x[$0 * spatial + p]) }
            let mean = column.reduce(0, +) / Double(channels)
            let variance = column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(channels)
            for c in 0..<channels {
                y[c * spatial + p] = Float((column[c] - mean) / (variance + eps).squareRoot() * Double(weight[c]) + Double(bias[c]))
            }
        }
        return y
    }

    func testChannelsOfAMapAndFeaturesOfAVector() throws {
        var seed = 0.0
        /// Deterministic values in [−2, 2].
        func random(_ count: Int) -> [Float] {
            seed += 1
            return (0..<count).map { Float(2 * sin(Double($0) * 1.7 + seed)) }
        }
        var graph = GraphBuilder()
        let map = graph.add("norm", .layerNorm(eps: 1e-6), graph.input)
        let flat = graph.add("flatten", .flatten, map)
        graph.add("head", .layerNorm(eps: 1e-5), flat)
        let (weight, bias, head) = (random(5), random(5), random(5 * 6))
        var dict = StateDict()
        dict.setTensor("norm.weight", Tensor(shape: [5], scalars: weight))
        dict.setTensor("norm.bias", Tensor(shape: [5], scalars: bias))
        dict.setTensor("head.weight", Tensor(shape: [30], scalars: head))
        let x = random(2 * 5 * 6)
        let y = try Executor(model: Model(architecture: "t", graph: graph.graph, stateDict: dict), input: [5, 2, 3], maxBatch: 2)
            .run(Tensor(shape: [2, 5, 2, 3], scalars: x)).scalars
        let expected = (0..<2).flatMap { n -> [Float] in
            let normed = Self.reference(Array(x[(n * 30)..<((n + 1) * 30)]), channels: 5, spatial: 6, weight: weight, bias: bias, eps: 1e-6)
            return Self.reference(normed, channels: 30, spatial: 1, weight: head, bias: [Float](repeating: 0, count: 30), eps: 1e-5)
        }
        assertClose(y, expected, rtol: 1e-5, atol: 1e-5)
    }
}
