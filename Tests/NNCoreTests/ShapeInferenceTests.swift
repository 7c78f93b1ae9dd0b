import XCTest
import TestSupport
import NNTestSupport
@testable import NNCore
@testable import NNEngine

/// The invariants ShapeInference holds every Op to, whoever built the graph: windows in range,
/// groups that divide, inputs that exist, sizes that neither overflow nor exceed the memory
/// budget, and ModelStatistics' overflow-checked MACs.
final class ShapeInferenceTests: XCTestCase {
    /// `input → max pool` with `attributes`.
    static func poolModel(_ attributes: Pool2dAttributes) -> Model {
        var graph = GraphBuilder()
        graph.add("pool", .maxPool(attributes), graph.input)
        return Model(architecture: "test", graph: graph.graph, stateDict: StateDict())
    }

    /// Asserts that shape inference at `input` refuses `model` with an error naming `layer` and saying `words`.
    func assertRefused(_ model: Model, input: [Int] = [3, 32, 32], layer: String = "conv", _ words: String...,
                       file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try ShapeInference(model: model, input: input), file: file, line: line) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("'\(layer)'"), text, file: file, line: line)
            for word in words { XCTAssertTrue(text.contains(word), "no '\(word)' in: \(text)", file: file, line: line) }
            XCTAssertFalse(text.contains("\n"), text, file: file, line: line)
        }
    }

    func testConvWindowsOutsideTheirRangesAreRefused() {
        let cases: [(Conv2dAttributes, String)] = [
            (Conv2dAttributes(dilation: Size2(-1)), "dilation -1"),
            (Conv2dAttributes(dilation: Size2(1, 0)), "dilation (1, 0)"),
            (Conv2dAttributes(stride: Size2(0)), "stride 0"),
            (Conv2dAttributes(stride: Size2(-2, 1)), "stride (-2, 1)"),
            (Conv2dAttributes(padding: Size2(-1)), "padding -1"),
            (Conv2dAttributes(padding: Size2(0), paddingEnd: Size2(0, -5)), "end padding (0, -5)"),
            (Conv2dAttributes(padding: Size2(1 << 62)), "padding 4611686018427387904"),
            (Conv2dAttributes(padding: Size2(0), paddingEnd: Size2(Int.max)), "end padding"),
            (Conv2dAttributes(stride: Size2(1 << 17)), "outside 1...65536"),
            (Conv2dAttributes(dilation: Size2(Int.min)), "dilation"),
        ]
        for (attributes, words) in cases { assertRefused(GraphFixtures.convModel(attributes), words) }
    }

    func testGroupsMustBePositiveAndDivideTheChannels() {
        assertRefused(GraphFixtures.convModel(Conv2dAttributes(groups: 0)), "groups 0")
        assertRefused(GraphFixtures.convModel(Conv2dAttributes(groups: -3)), "groups -3")
        // 4 output channels, 3 groups: 3 does not divide 4.
        assertRefused(GraphFixtures.convModel(Conv2dAttributes(groups: 3), inputChannels: 3), "groups 3")
        // A weight of one input channel per group with 2 groups reads 2 channels, the input has 3.
        assertRefused(GraphFixtures.convModel(Conv2dAttributes(groups: 2), inputChannels: 2), "expects 2 input channels, got 3")
    }

    func testAZeroSizedKernelIsRefused() {
        var model = GraphFixtures.convModel(Conv2dAttributes())
        model.stateDict.setTensor("conv.weight", Tensor(shape: [4, 3, 0, 3]))
        assertRefused(model, "is not [out, in/groups, kh, kw]")
    }

    func testPoolWindowsAreCheckedAndNoMaxPoolWindowLiesInPadding() throws {
        assertRefused(Self.poolModel(Pool2dAttributes(kernel: Size2(0))), layer: "pool", "kernel 0")
        assertRefused(Self.poolModel(Pool2dAttributes(kernel: Size2(2), stride: Size2(-1))), layer: "pool", "stride -1")
        assertRefused(Self.poolModel(Pool2dAttributes(kernel: Size2(2), dilation: Size2(-4))), layer: "pool", "dilation -4")
        // A 1x1 window padded by 1: the corner windows read only padding (torch: −inf).
        assertRefused(Self.poolModel(Pool2dAttributes(kernel: Size2(1), padding: Size2(1))), layer: "pool", "wholly in the padding")
        // Kernel 2, dilation 5, padding 1 on a 4-wide input: taps −1 and 4, both padding.
        assertRefused(Self.poolModel(Pool2dAttributes(kernel: Size2(2), stride: Size2(1), padding: Size2(1), dilation: Size2(5))),
                      input: [3, 4, 4], layer: "pool", "wholly in the padding")
        // torch's usual padded pools are fine.
        let stem = try ShapeInference(model: Self.poolModel(Pool2dAttributes(kernel: Size2(3), stride: Size2(2), padding: Size2(1))), input: [3, 112, 112])
        XCTAssertEqual(stem.shapes.last, [3, 56, 56])
        let ceil = try ShapeInference(model: Self.poolModel(Pool2dAttributes(kernel: Size2(3), stride: Size2(2), padding: Size2(1), ceilMode: true)),
                                      input: [3, 8, 8])
        XCTAssertEqual(ceil.shapes.last, [3, 5, 5])
    }

    func testWindowOutputNeverOverflows() {
        XCTAssertNil(ShapeInference.windowOutput(Int.max, kernel: 3, stride: 1, padding: 1, paddingEnd: 1, dilation: 1, ceilMode: false))
        XCTAssertNil(ShapeInference.windowOutput(10, kernel: Int.max, stride: 1, padding: 0, paddingEnd: 0, dilation: 2, ceilMode: true))
        XCTAssertNil(ShapeInference.windowOutput(10, kernel: 3, stride: 1, padding: -1, paddingEnd: 0, dilation: 1, ceilMode: false))
        XCTAssertEqual(ShapeInference.windowOutput(224, kernel: 7, stride: 2, padding: 3, paddingEnd: 3, dilation: 1, ceilMode: false), 112)
    }

    func testHugeInputsAreRefusedWithoutTrapping() {
        let model = GraphFixtures.convModel(Conv2dAttributes(padding: Size2(1)))
        for input in [[3, 4_000_000_000, 4_000_000_000], [3, Int.max, 1], [0, 32, 32], [3, -32, 32], [3, 32]] {
            XCTAssertThrowsError(try ShapeInference(model: model, input: input)) { error in
                XCTAssertTrue("\(error)".contains("invalid input"), "\(error)")
            }
        }
        // Each size is allowed, the sample is not: over the budget, in one line naming the input.
        XCTAssertThrowsError(try ShapeInference(model: model, input: [3, 1 << 24, 1 << 24])) { error in
            XCTAssertTrue("\(error)".hasPrefix("input: one sample [3, 16777216, 16777216] would need 3.0 PB"), "\(error)")
        }
    }

    func testAFeatureMapOverTheBudgetNamesTheLayerAndSize() throws {
        let saved = MemoryBudget.limit
        defer { MemoryBudget.limit = saved }
        MemoryBudget.limit = 1 << 30
        // A 1x1 kernel with 40,000 padding on each side: a [4, 80003, 80003] map, 95 GiB.
        let model = GraphFixtures.convModel(Conv2dAttributes(padding: Size2(40_000)), kernel: 1)
        XCTAssertThrowsError(try ShapeInference(model: model, input: [3, 3, 3])) { error in
            XCTAssertEqual("\(error)", "layer 'conv': its output [4, 80003, 80003] for one sample would need 95.4 GB, over the memory limit of 1.0 GB (raise MemoryBudget.limit)")
        }
        MemoryBudget.limit = Int.max
        XCTAssertEqual(try ShapeInference(model: model, input: [3, 3, 3]).shapes[1], [4, 80003, 80003])
    }

    func testNodesMustReadEarlierNodesAsManyAsTheirOpTakes() {
        func model(_ nodes: [Node]) -> Model {
            Model(architecture: "test", graph: Graph(nodes: [Node(name: "input", op: .input, inputs: [])] + nodes), stateDict: StateDict())
        }
        assertRefused(model([Node(name: "relu", op: .relu, inputs: [2]), Node(name: "later", op: .relu, inputs: [0])]), layer: "relu",
                      "not an earlier node")
        assertRefused(model([Node(name: "self", op: .relu, inputs: [1])]), layer: "self", "not an earlier node")
        assertRefused(model([Node(name: "add", op: .add, inputs: [0])]), layer: "add", "reads 1 inputs; Add takes 2")
        assertRefused(model([Node(name: "relu", op: .relu, inputs: [])]), layer: "relu", "reads 0 inputs")
        assertRefused(model([Node(name: "cat", op: .concat, inputs: [])]), layer: "cat", "at least 1")
        assertRefused(model([Node(name: "second", op: .input, inputs: [])]), layer: "second", "a second graph input")
        XCTAssertThrowsError(try ShapeInference(model: Model(architecture: "test", graph: Graph(nodes: []), stateDict: StateDict()), input: [3, 8, 8]))
    }

    func testOpConstantsMustBeNumbersAndSizesPositive() {
        func model(_ op: Op) -> Model {
            var graph = GraphBuilder()
            graph.add("op", op, graph.input)
            var dict = StateDict()
            for key in ["weight", "bias", "running_mean", "running_var"] { dict.setTensor("op.\(key)", Tensor(shape: [3], repeating: 1)) }
            return Model(architecture: "test", graph: graph.graph, stateDict: dict)
        }
        assertRefused(model(.batchNorm(eps: -1)), layer: "op", "eps -1.0")
        assertRefused(model(.batchNorm(eps: .nan)), layer: "op", "eps nan")
        assertRefused(model(.leakyRelu(slope: .infinity)), layer: "op", "slope")
        assertRefused(model(.hardSigmoid(alpha: .nan, beta: 0.5)), layer: "op", "alpha and beta")
        assertRefused(model(.clip(lower: .nan, upper: 1)), layer: "op", "must be numbers")
        assertRefused(model(.adaptiveAvgPool(Size2(0, 1))), layer: "op", "output size")
        assertRefused(model(.channelSlice(start: 2, count: Int.max)), layer: "op", "not within the input's 3")
        assertRefused(model(.channelSlice(start: -1, count: 1)), layer: "op", "not within")
        assertRefused(model(.channelShuffle(groups: 0)), layer: "op", "0 groups")
        assertRefused(model(.channelAffine(scale: [1, 1], shift: [0, 0])), layer: "op", "2 scales and 2 shifts for 3 channels")
        assertRefused(model(.channelAffine(scale: [1, .nan, 1], shift: [0, 0, 0])), layer: "op", "scales and shifts", "must be finite")
    }

    /// `input → layer norm (weight [C]) → linear on the map (weight [5, C]) → layer scale
    /// ([5, 1, 1]) → global pool → flatten`, with the given parameter shapes.
    static func convNeXtModel(norm: [Int] = [3], linear: [Int] = [5, 3], scale: [Int] = [5, 1, 1]) -> Model {
        var graph = GraphBuilder()
        let norm1 = graph.add("norm", .layerNorm(eps: 1e-6), graph.input)
        let fc = graph.add("fc", .linear, norm1)
        let scaled = graph.add("block.layer_scale", .channelScale, fc)
        graph.add("flatten", .flatten, graph.add("pool", .adaptiveAvgPool(Size2(1)), scaled))
        var dict = StateDict()
        dict.setTensor("norm.weight", Tensor(shape: norm, repeating: 1))
        dict.setTensor("fc.weight", Tensor(shape: linear, repeating: 0.1))
        dict.setTensor("block.layer_scale", Tensor(shape: scale, repeating: 0.5))
        return Model(architecture: "test", graph: graph.graph, stateDict: dict)
    }

    func testLayerNormLinearOnAMapAndLayerScaleShapesAreChecked() throws {
        let model = Self.convNeXtModel()
        XCTAssertEqual(try ShapeInference(model: model, input: [3, 4, 4]).shapes[2], [5, 4, 4])
        let statistics = try ModelStatistics(model: model, input: [3, 4, 4])
        XCTAssertEqual(statistics.parameters, 3 + 15 + 5)
        XCTAssertEqual(statistics.layers.map(\.macs).prefix(3), [48, 16 * 15, 80])
        assertRefused(Self.convNeXtModel(norm: [4]), input: [3, 4, 4], layer: "norm", "weight [4]", "3 channels")
        assertRefused(Self.convNeXtModel(linear: [5, 4]), input: [3, 4, 4], layer: "fc", "expects 4 input features")
        assertRefused(Self.convNeXtModel(scale: [5]), input: [3, 4, 4], layer: "block.layer_scale", "[5, 1, 1]")
    }

    func testMACsThatOverflowNameTheLayer() {
        let saved = MemoryBudget.limit
        defer { MemoryBudget.limit = saved }
        MemoryBudget.limit = Int.max
        // A [1, 2^24 - 255, 2^24 - 255] map from a 256x256 kernel: 2^48 positions x 2^16 weights.
        var graph = GraphBuilder()
        graph.add("conv", .conv2d(Conv2dAttributes()), graph.input)
        var dict = StateDict()
        dict.setTensor("conv.weight", Tensor(shape: [1, 1, 256, 256]))
        let model = Model(architecture: "test", graph: graph.graph, stateDict: dict)
        XCTAssertThrowsError(try ModelStatistics(model: model, input: [1, 1 << 24, 1 << 24])) { error in
            XCTAssertTrue("\(error)".hasPrefix("layer 'conv': its multiply-accumulates"), "\(error)")
        }
    }

    func testChannelCountsOfADeepChainNeedNoDeepRecursion() {
        var graph = GraphBuilder()
        var last = graph.add("conv", .conv2d(Conv2dAttributes()), graph.input)
        for k in 0..<200_000 { last = graph.add("relu\(k)", .relu, last) }
        var dict = StateDict()
        dict.setTensor("conv.weight", Tensor(shape: [5, 3, 1, 1]))
        let model = Model(architecture: "test", graph: graph.graph, stateDict: dict)
        var known: [Int: Int] = [:]
        XCTAssertEqual(model.outputChannels(of: last, known: &known), 5)
        XCTAssertEqual(model.outputChannels(of: 0), 3)
        XCTAssertEqual(known.count, 200_001)
    }
}
