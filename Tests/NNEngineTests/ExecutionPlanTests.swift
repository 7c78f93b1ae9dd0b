import XCTest
import TestSupport
import NNTestSupport
@testable import NNCore
@testable import NNEngine

/// ExecutionPlan's passes on small graphs (fold, fuse, assign buffers, lower, select kernels),
/// and what the Executor refuses before it allocates: ops outside ShapeInference's invariants,
/// windows with more taps than the kernels hold, a lane's buffers past 32-bit indices, and
/// buffers and scratch over the memory budget.
final class ExecutionPlanTests: XCTestCase {
    /// The plan of `graph` over `stateDict` for inputs `input`, one sample a lane, one thread.
    func plan(_ graph: GraphBuilder, _ stateDict: StateDict, input: [Int], foldBatchNorm: Bool = true,
              sparseDensityLimit: Double? = nil, winograd: Bool = true) throws -> ExecutionPlan {
        let model = Model(architecture: "test", graph: graph.graph, stateDict: stateDict)
        return try ExecutionPlan(model: model, shapes: try ShapeInference(model: model, input: input).shapes, maxBatch: 1,
                                 foldBatchNorm: foldBatchNorm, sparseDensityLimit: sparseDensityLimit, winograd: winograd, outputSplits: 1)
    }

    /// `[out, in, k, k]` weights, nonzero (1/8 ... 7/8) only at every `every`-th index, so a
    /// density of ⌈count / every⌉ / count.
    func weight(_ shape: [Int], every: Int = 1) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { $0 % every == 0 ? Float($0 % 7 + 1) / 8 : 0 })
    }

    /// The conv steps of `plan`, in order.
    func convs(_ plan: ExecutionPlan) -> [ConvStep] {
        plan.steps.compactMap { if case .conv(let conv) = $0 { return conv } else { return nil } }
    }

    /// What kind of step each of `plan`'s steps is.
    func kinds(_ plan: ExecutionPlan) -> [String] {
        plan.steps.map { step in
            switch step {
            case .conv: return "conv"
            case .affine: return "affine"
            case .activation: return "activation"
            case .pool: return "pool"
            case .add: return "add"
            case .linear: return "linear"
            default: return "\(step)"
            }
        }
    }

    /// `input → conv (1x1, 2 → 2, w = [[1, 2], [3, 4]], b = [0.5, −1]) → bn`, with γ = [2, 3],
    /// β = [1, 0], μ = [0.5, 1], σ² = [1, 4], ε = 0: scale [2, 1.5], shift [0, −1.5].
    func convBatchNorm() -> (GraphBuilder, StateDict) {
        var graph = GraphBuilder()
        let conv = graph.add("conv", .conv2d(Conv2dAttributes()), graph.input)
        graph.add("bn", .batchNorm(eps: 0), conv)
        var dict = StateDict()
        dict.setTensor("conv.weight", Tensor(shape: [2, 2, 1, 1], scalars: [1, 2, 3, 4] as [Float]))
        dict.setTensor("conv.bias", Tensor(shape: [2], scalars: [0.5, -1] as [Float]))
        dict.setTensor("bn.weight", Tensor(shape: [2], scalars: [2, 3] as [Float]))
        dict.setTensor("bn.bias", Tensor(shape: [2], scalars: [1, 0] as [Float]))
        dict.setTensor("bn.running_mean", Tensor(shape: [2], scalars: [0.5, 1] as [Float]))
        dict.setTensor("bn.running_var", Tensor(shape: [2], scalars: [1, 4] as [Float]))
        return (graph, dict)
    }

    func testFoldingABatchNormGivesTheFoldedWeights() throws {
        let (graph, dict) = convBatchNorm()
        let folding = ExecutionPlan.foldBatchNorms(Model(architecture: "test", graph: graph.graph, stateDict: dict))
        XCTAssertEqual(folding.convOfBatchNorm, [2: 1])
        XCTAssertEqual(folding.batchNormOfConv[1]?.scale, [2, 1.5])
        XCTAssertEqual(folding.batchNormOfConv[1]?.shift, [0, -1.5])
        // w'[o] = w[o] · scale[o], b'[o] = b[o] · scale[o] + shift[o]; the BatchNorm has no step.
        let folded = try plan(graph, dict, input: [2, 4, 4])
        XCTAssertEqual(kinds(folded), ["conv"])
        XCTAssertEqual(convs(folded).first?.weight, [2, 4, 4.5, 6])
        XCTAssertEqual(convs(folded).first?.bias, [1, -3])
        XCTAssertEqual(folded.bufferOfNode[2], folded.bufferOfNode[1])
        let unfolded = try plan(graph, dict, input: [2, 4, 4], foldBatchNorm: false)
        XCTAssertEqual(kinds(unfolded), ["conv", "affine"])
        XCTAssertEqual(convs(unfolded).first?.weight, [1, 2, 3, 4])
    }

    func testFoldingLeavesABatchNormWhoseConvHasAnotherReader() {
        let (built, dict) = convBatchNorm()
        var graph = built
        graph.add("add", .add, 2, 1)
        let folding = ExecutionPlan.foldBatchNorms(Model(architecture: "test", graph: graph.graph, stateDict: dict))
        XCTAssertTrue(folding.convOfBatchNorm.isEmpty)
        XCTAssertTrue(folding.batchNormOfConv.isEmpty)
    }

    func testFusionFusesReLUAndMaxPoolIntoTheConv() throws {
        var graph = GraphBuilder()
        let conv = graph.add("conv", .conv2d(Conv2dAttributes(padding: Size2(1))), graph.input)
        let relu = graph.add("relu", .relu, conv)
        let pool = graph.add("pool", .maxPool(Pool2dAttributes(kernel: Size2(2))), relu)
        var dict = StateDict()
        dict.setTensor("conv.weight", weight([2, 2, 3, 3]))
        let fusion = ExecutionPlan.fuse(graph.graph, shapes: [[2, 8, 8], [2, 8, 8], [2, 8, 8], [2, 4, 4]], folding: ExecutionPlan.Folding())
        XCTAssertEqual(fusion.activationOf, [conv: relu])
        XCTAssertEqual(fusion.poolOf, [conv: pool])
        XCTAssertEqual(fusion.fused, [relu, pool])
        let fused = try plan(graph, dict, input: [2, 8, 8])
        XCTAssertEqual(kinds(fused), ["conv"])
        XCTAssertEqual(convs(fused).first?.epilogue, .relu)
        XCTAssertEqual(convs(fused).first?.pool?.size, 2 * 4 * 4)
        // The conv's buffer holds the pooled map, which the ReLU and pool alias.
        XCTAssertEqual(fused.bufferOfNode[pool], fused.bufferOfNode[conv])
        XCTAssertEqual(fused.bufferSampleSizes[fused.bufferOfNode[conv]], 2 * 4 * 4)
    }

    func testFusionLeavesAReLUWhoseConvHasTwoReadersAndFusesOneIntoTheAdd() throws {
        var graph = GraphBuilder()
        let conv = graph.add("conv", .conv2d(Conv2dAttributes()), graph.input)
        let relu = graph.add("relu", .relu, conv)
        let add = graph.add("add", .add, relu, conv)
        let out = graph.add("relu2", .relu, add)
        var dict = StateDict()
        dict.setTensor("conv.weight", weight([2, 2, 1, 1]))
        let shapes = [[Int]](repeating: [2, 4, 4], count: 5)
        XCTAssertEqual(ExecutionPlan.fuse(graph.graph, shapes: shapes, folding: ExecutionPlan.Folding()).activationOf, [add: out])
        let plan = try plan(graph, dict, input: [2, 4, 4])
        XCTAssertEqual(kinds(plan), ["conv", "activation", "add"])
        XCTAssertNil(convs(plan).first?.epilogue)
        guard case .add(_, _, _, _, let epilogue) = plan.steps[2] else { return XCTFail("\(plan.steps[2])") }
        XCTAssertEqual(epilogue, .relu)
    }

    /// DenseNet's pattern on odd channel counts: two concats of the same earlier outputs (and
    /// the input), each read only by a BatchNorm then a ReLU then a conv. With `separated`, an
    /// identity between each concat and its BatchNorm keeps the concat a step of its own.
    func denseBlock(separated: Bool) -> (GraphBuilder, StateDict) {
        var graph = GraphBuilder()
        var dict = StateDict()
        var seed: UInt64 = 7
        func values(_ count: Int) -> Tensor {
            var generator = SplitMix64(seed: seed)
            seed += 1
            return Tensor(shape: [count], scalars: (0..<count).map { _ in Float(generator.nextUnit()) - 0.5 })
        }
        func conv(_ name: String, _ input: Int, _ inC: Int, _ outC: Int, kernel: Int) -> Int {
            dict.setTensor("\(name).weight", Tensor(shape: [outC, inC, kernel, kernel], scalars: values(outC * inC * kernel * kernel).scalars))
            dict.setTensor("\(name).bias", values(outC))
            return graph.add(name, .conv2d(Conv2dAttributes(padding: Size2(kernel / 2))), input)
        }
        func normReLU(_ name: String, _ inputs: [Int], channels: Int) -> Int {
            var concat = graph.add("\(name).cat", .concat, inputs: inputs)
            if separated { concat = graph.add("\(name).same", .identity, concat) }
            dict.setTensor("\(name).bn.weight", values(channels))
            dict.setTensor("\(name).bn.bias", values(channels))
            dict.setTensor("\(name).bn.running_mean", values(channels))
            dict.setTensor("\(name).bn.running_var", Tensor(shape: [channels], scalars: values(channels).scalars.map { $0 + 1 }))
            return graph.add("\(name).relu", .relu, graph.add("\(name).bn", .batchNorm(eps: 1e-5), concat))
        }
        let a = conv("a", graph.input, 3, 5, kernel: 1)
        let b = conv("b", a, 5, 7, kernel: 3)
        let c = conv("c", normReLU("one", [graph.input, a, b], channels: 15), 15, 3, kernel: 1)
        conv("d", normReLU("two", [a, b, c, a], channels: 20), 20, 4, kernel: 3)
        return (graph, dict)
    }

    func testFusionRunsAConcatAndItsReLUInTheBatchNormsStepOverTheConcatsInputs() throws {
        let (graph, dict) = denseBlock(separated: false)
        let nodes = graph.nodes
        func index(_ name: String) -> Int { nodes.firstIndex { $0.name == name }! }
        let model = Model(architecture: "test", graph: graph.graph, stateDict: dict)
        let shapes = try ShapeInference(model: model, input: [3, 5, 5]).shapes
        let fusion = ExecutionPlan.fuse(graph.graph, shapes: shapes, folding: ExecutionPlan.foldBatchNorms(model))
        XCTAssertEqual(fusion.concatOf, [index("one.bn"): index("one.cat"), index("two.bn"): index("two.cat")])
        XCTAssertEqual(fusion.activationOf[index("one.bn")], index("one.relu"))
        let fused = try plan(graph, dict, input: [3, 5, 5])
        XCTAssertEqual(kinds(fused), ["conv", "conv", "affine", "conv", "affine", "conv"])
        guard case .affine(_, _, let sources, let destination, let epilogue) = fused.steps[4] else { return XCTFail("\(fused.steps[4])") }
        XCTAssertEqual(sources.channels, [5, 7, 3, 5])
        XCTAssertEqual(sources.buffers, [index("a"), index("b"), index("c"), index("a")].map { fused.bufferOfNode[$0] })
        XCTAssertFalse(sources.buffers.contains(destination))
        XCTAssertEqual(epilogue, .relu)
        // Against the same graph with the concats and ReLUs as steps of their own, batches of 1 to 3.
        let (separatedGraph, _) = denseBlock(separated: true)
        let separated = Model(architecture: "test", graph: separatedGraph.graph, stateDict: dict)
        for batch in 1...3 {
            var generator = SplitMix64(seed: UInt64(batch))
            let input = Tensor(shape: [batch, 3, 5, 5], scalars: (0..<(batch * 75)).map { _ in Float(generator.nextUnit()) * 4 - 2 })
            for fold in [true, false] {
                let got = try Executor(model: model, input: [3, 5, 5], maxBatch: batch, foldBatchNorm: fold).run(input)
                let want = try Executor(model: separated, input: [3, 5, 5], maxBatch: batch, foldBatchNorm: fold).run(input)
                XCTAssertEqual(got.scalars, want.scalars, "batch \(batch), fold \(fold)")
            }
        }
    }

    func testAnAveragePoolRunsBeforeTheOneByOneConvItAloneReads() throws {
        // A 1x1 conv 5 → 3 (a bias, a folded BatchNorm-free chain) on 7x7 maps, then an average
        // pool: 2x2 stride 2 (floor: the last row and column dropped) or 3x3 stride 1; batches
        // of 1 to 3; against convolving then pooling in plain loops.
        let (inC, outC, size) = (5, 3, 7)
        var generator = SplitMix64(seed: 11)
        func values(_ count: Int) -> [Float] { (0..<count).map { _ in Float(generator.nextUnit()) * 2 - 1 } }
        let (w, b) = (values(outC * inC), values(outC))
        var dict = StateDict()
        dict.setTensor("conv.weight", Tensor(shape: [outC, inC, 1, 1], scalars: w))
        dict.setTensor("conv.bias", Tensor(shape: [outC], scalars: b))
        for (kernel, stride) in [(2, 2), (3, 1)] {
            var graph = GraphBuilder()
            let conv = graph.add("conv", .conv2d(Conv2dAttributes()), graph.input)
            let pool = graph.add("pool", .avgPool(Pool2dAttributes(kernel: Size2(kernel), stride: Size2(stride))), conv)
            let out = (size - kernel) / stride + 1
            let shapes = [[inC, size, size], [outC, size, size], [outC, out, out]]
            XCTAssertEqual(ExecutionPlan.fuse(graph.graph, shapes: shapes, folding: ExecutionPlan.Folding()).poolBefore, [conv: pool])
            let swapped = try plan(graph, dict, input: [inC, size, size])
            XCTAssertEqual(kinds(swapped).count, 2)
            XCTAssertEqual(convs(swapped).map(\.inH), [out], "the conv runs on the pooled map")
            let model = Model(architecture: "test", graph: graph.graph, stateDict: dict)
            for batch in 1...3 {
                let x = values(batch * inC * size * size)
                var expected: [Float] = []
                for n in 0..<batch {
                    for o in 0..<outC {
                        func y(_ r: Int, _ c: Int) -> Float {
                            (0..<inC).reduce(b[o]) { $0 + w[o * inC + $1] * x[((n * inC + $1) * size + r) * size + c] }
                        }
                        for r in 0..<out {
                            for c in 0..<out {
                                var sum: Float = 0
                                for i in 0..<kernel { for j in 0..<kernel { sum += y(r * stride + i, c * stride + j) } }
                                expected.append(sum / Float(kernel * kernel))
                            }
                        }
                    }
                }
                let got = try Executor(model: model, input: [inC, size, size], maxBatch: batch).run(Tensor(shape: [batch, inC, size, size], scalars: x))
                assertClose(got.scalars, expected, rtol: 1e-5, atol: 1e-6, "\(kernel)x\(kernel)/\(stride), batch \(batch)")
            }
        }
        // Not before a padded pool (it averages the conv's zero padding, not its bias), a ceil-mode
        // one, or a 3x3 conv; nor before a conv something else reads too.
        for (poolAttributes, convAttributes) in [(Pool2dAttributes(kernel: Size2(2), padding: Size2(1)), Conv2dAttributes()),
                                                 (Pool2dAttributes(kernel: Size2(2), ceilMode: true), Conv2dAttributes()),
                                                 (Pool2dAttributes(kernel: Size2(2)), Conv2dAttributes(padding: Size2(1)))] {
            var graph = GraphBuilder()
            let conv = graph.add("conv", .conv2d(convAttributes), graph.input)
            graph.add("pool", .avgPool(poolAttributes), conv)
            let pooled = poolAttributes.padding == Size2(1) ? 4 : poolAttributes.ceilMode ? 4 : 3
            let shapes = [[inC, size, size], [outC, size, size], [outC, pooled, pooled]]
            XCTAssertEqual(ExecutionPlan.fuse(graph.graph, shapes: shapes, folding: ExecutionPlan.Folding()).poolBefore, [:])
        }
        var graph = GraphBuilder()
        let conv = graph.add("conv", .conv2d(Conv2dAttributes()), graph.input)
        let pool = graph.add("pool", .avgPool(Pool2dAttributes(kernel: Size2(2))), conv)
        graph.add("add", .add, pool, graph.add("pool2", .avgPool(Pool2dAttributes(kernel: Size2(2))), conv))
        let shapes = [[inC, size, size], [outC, size, size], [outC, 3, 3], [outC, 3, 3], [outC, 3, 3]]
        XCTAssertEqual(ExecutionPlan.fuse(graph.graph, shapes: shapes, folding: ExecutionPlan.Folding()).poolBefore, [:])
    }

    func testBufferAssignmentReusesDeadBuffersRunsAddsInPlaceAndAliasesFlatten() throws {
        // input → a → b; add(b, a) → flatten, every map [2, 4, 4].
        var graph = GraphBuilder()
        let a = graph.add("a", .conv2d(Conv2dAttributes()), graph.input)
        let b = graph.add("b", .conv2d(Conv2dAttributes()), a)
        let add = graph.add("add", .add, b, a)
        graph.add("flatten", .flatten, add)
        let shapes = [[Int]](repeating: [2, 4, 4], count: 4) + [[32]]
        let assignment = ExecutionPlan.assignBuffers(graph.graph, shapes: shapes, folding: ExecutionPlan.Folding(), fusion: ExecutionPlan.Fusion())
        // b takes the input's buffer, dead once a has run; the add writes over b, its only
        // reader; flatten aliases the add.
        XCTAssertEqual(assignment.bufferOfNode, [0, 1, 0, 0, 0])
        XCTAssertEqual(assignment.bufferSampleSizes, [32, 32])
        var dict = StateDict()
        dict.setTensor("a.weight", weight([2, 2, 1, 1]))
        dict.setTensor("b.weight", weight([2, 2, 1, 1]))
        let plan = try plan(graph, dict, input: [2, 4, 4])
        XCTAssertEqual(plan.bufferOfNode, assignment.bufferOfNode)
        guard case .add(_, let first, let second, let destination, _) = plan.steps[2] else { return XCTFail("\(plan.steps[2])") }
        XCTAssertEqual([first, second, destination], [0, 1, 0])
    }

    func testLoweringGivesEachComputingNodeItsStep() throws {
        var graph = GraphBuilder()
        let conv = graph.add("conv", .conv2d(Conv2dAttributes()), graph.input)
        let bn = graph.add("bn", .batchNorm(eps: 1e-5), conv)
        let pool = graph.add("pool", .avgPool(Pool2dAttributes(kernel: Size2(2))), bn)
        let flatten = graph.add("flatten", .flatten, pool)
        graph.add("fc", .linear, flatten)
        var dict = StateDict()
        dict.setTensor("conv.weight", weight([2, 2, 1, 1]))
        for name in ["weight", "bias", "running_mean", "running_var"] { dict.setTensor("bn.\(name)", Tensor(shape: [2], repeating: 1)) }
        dict.setTensor("fc.weight", weight([3, 8]))
        let plan = try plan(graph, dict, input: [2, 4, 4], foldBatchNorm: false)
        XCTAssertEqual(kinds(plan), ["conv", "affine", "pool", "linear"])
        guard case .linear(let fc) = plan.steps[3] else { return XCTFail("\(plan.steps[3])") }
        XCTAssertEqual(fc.source, plan.bufferOfNode[flatten])
        XCTAssertEqual(plan.bufferOfNode[flatten], plan.bufferOfNode[pool])
    }

    /// The kernel selected for a lone conv of `[out, in, k, k]` weights (nonzero at every
    /// `every`-th index) on `[in, size, size]` inputs.
    func selectedKernel(_ attributes: Conv2dAttributes = Conv2dAttributes(), weight shape: [Int], every: Int = 1, size: Int = 16,
                        winograd: Bool = true) throws -> String {
        var graph = GraphBuilder()
        graph.add("conv", .conv2d(attributes), graph.input)
        var dict = StateDict()
        dict.setTensor("conv.weight", weight(shape, every: every))
        let conv = try XCTUnwrap(convs(try plan(graph, dict, input: [shape[1] * attributes.groups, size, size], winograd: winograd)).first)
        return conv.kernel.name
    }

    func testKernelSelectionPicksEachConvsKernel() throws {
        let same = Conv2dAttributes(padding: Size2(1))
        XCTAssertEqual(try selectedKernel(same, weight: [32, 32, 3, 3]), "winograd")
        XCTAssertEqual(try selectedKernel(same, weight: [32, 32, 3, 3], winograd: false), "direct")
        XCTAssertEqual(try selectedKernel(Conv2dAttributes(stride: Size2(2), padding: Size2(3)), weight: [8, 3, 7, 7], size: 32), "polyphase")
        // Too few channels to pay for Winograd's transforms.
        XCTAssertEqual(try selectedKernel(same, weight: [32, 1, 3, 3]), "direct")
        XCTAssertEqual(try selectedKernel(Conv2dAttributes(padding: Size2(1), groups: 32), weight: [32, 1, 3, 3]), "depthwise")
        XCTAssertEqual(try selectedKernel(Conv2dAttributes(padding: Size2(1), groups: 2), weight: [8, 4, 3, 3]), "grouped grid")
        XCTAssertEqual(try selectedKernel(Conv2dAttributes(padding: Size2(1), groups: 2), weight: [8, 256, 3, 3]), "grouped")
        XCTAssertEqual(try selectedKernel(same, weight: [32, 32, 3, 3], size: 4), "batched")
        // One 7x7 image (four tiles): Winograd while the transformed filters stay in L2 (DenseNet's
        // 128 → 32), else direct (ResNet-50's 512 → 512).
        XCTAssertEqual(try selectedKernel(same, weight: [32, 128, 3, 3], size: 7), "winograd")
        XCTAssertEqual(try selectedKernel(same, weight: [512, 512, 3, 3], size: 7), "direct")
        // 1x1: pointwise when stride 1 and unpadded, else direct; direct on 7x7 maps, batched on smaller ones.
        XCTAssertEqual(try selectedKernel(weight: [24, 16, 1, 1]), "pointwise")
        XCTAssertEqual(try selectedKernel(Conv2dAttributes(stride: Size2(2)), weight: [24, 16, 1, 1]), "direct")
        XCTAssertEqual(try selectedKernel(Conv2dAttributes(padding: Size2(1)), weight: [24, 16, 1, 1]), "direct")
        XCTAssertEqual(try selectedKernel(weight: [24, 16, 1, 1], size: 7), "direct")
        XCTAssertEqual(try selectedKernel(weight: [24, 16, 1, 1], size: 4), "batched")
    }

    func testKernelSelectionGoesSparseBelowEachKindsCrossover() throws {
        let same = Conv2dAttributes(padding: Size2(1))
        // Winograd kind (crossover 0.1): density 0.05 sparse, 0.2 Winograd.
        XCTAssertEqual(try selectedKernel(same, weight: [32, 32, 3, 3], every: 20), "sparse")
        XCTAssertEqual(try selectedKernel(same, weight: [32, 32, 3, 3], every: 5), "winograd")
        // Pointwise and direct kinds (crossover 0.3 each): density 1/4 sparse, 1/3 dense.
        XCTAssertEqual(try selectedKernel(weight: [32, 32, 1, 1], every: 4), "sparse")
        XCTAssertEqual(try selectedKernel(weight: [32, 32, 1, 1], every: 3), "pointwise")
        XCTAssertEqual(try selectedKernel(Conv2dAttributes(padding: Size2(2)), weight: [32, 32, 5, 5], every: 4), "sparse")
        XCTAssertEqual(try selectedKernel(Conv2dAttributes(padding: Size2(2)), weight: [32, 32, 5, 5], every: 3), "direct")
    }

    func testAnOpOutsideItsInvariantsNeverReachesAKernel() {
        for attributes in [Conv2dAttributes(dilation: Size2(-1)), Conv2dAttributes(stride: Size2(0)), Conv2dAttributes(padding: Size2(-3)),
                           Conv2dAttributes(groups: 0), Conv2dAttributes(padding: Size2(1 << 62))] {
            XCTAssertThrowsError(try Executor(model: GraphFixtures.convModel(attributes), input: [3, 16, 16], maxBatch: 2)) { error in
                XCTAssertTrue("\(error)".hasPrefix("layer 'conv': "), "\(error)")
            }
        }
    }

    func testWindowsWithMoreTapsThanTheKernelsHoldAreRefused() {
        XCTAssertThrowsError(try Executor(model: GraphFixtures.convModel(Conv2dAttributes(), kernel: 129), input: [3, 129, 129], maxBatch: 1)) { error in
            XCTAssertEqual("\(error)", "layer 'conv': its 129x129 window has more than the engine's 16384 taps")
        }
        var graph = GraphBuilder()
        graph.add("pool", .avgPool(Pool2dAttributes(kernel: Size2(200, 100))), graph.input)
        let pool = Model(architecture: "test", graph: graph.graph, stateDict: StateDict())
        XCTAssertThrowsError(try Executor(model: pool, input: [1, 200, 100], maxBatch: 1)) { error in
            XCTAssertTrue("\(error)".contains("layer 'pool': its 200x100 window"), "\(error)")
        }
        XCTAssertNoThrow(try Executor(model: GraphFixtures.convModel(Conv2dAttributes(), kernel: 128), input: [3, 128, 128], maxBatch: 1))
    }

    func testALaneBeyondThirtyTwoBitIndicesIsRefusedBeforeAllocating() {
        let saved = MemoryBudget.limit
        defer { MemoryBudget.limit = saved }
        MemoryBudget.limit = Int.max
        var graph = GraphBuilder()
        graph.add("relu", .relu, graph.input)
        let model = Model(architecture: "test", graph: graph.graph, stateDict: StateDict())
        XCTAssertThrowsError(try Executor(model: model, input: [1, 1 << 15, 1 << 15], maxBatch: 2, threads: 1)) { error in
            XCTAssertEqual("\(error)", "layer 'input': its output [1, 32768, 32768] for the 2 samples of a thread has more than the kernels' 2147483647 floats; use a smaller batch")
        }
    }

    func testBuffersAndScratchOverTheBudgetAreRefusedBeforeAllocating() throws {
        let saved = MemoryBudget.limit
        defer { MemoryBudget.limit = saved }
        MemoryBudget.limit = 64 << 20
        let model = GraphFixtures.convModel(Conv2dAttributes(padding: Size2(1)))
        XCTAssertNoThrow(try Executor(model: model, input: [3, 256, 256], maxBatch: 1, threads: 1))
        XCTAssertThrowsError(try Executor(model: model, input: [3, 256, 256], maxBatch: 64, threads: 2)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("layer 'conv': running a batch of 64 on 2 threads (its output [4, 256, 256] the largest of the buffers) would need"), text)
            XCTAssertTrue(text.hasSuffix("over the memory limit of 64.0 MB (raise MemoryBudget.limit)"), text)
        }
    }
}
