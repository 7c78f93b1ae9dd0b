// ExecutionPlan: turns a Model and its per-node shapes into kernel steps and a buffer
// assignment. Buffers are reused once their last reader has run; flatten, identity, a
// BatchNorm folded into its conv, an activation fused into its conv's (or add's) epilogue and
// a max pool fused into the conv before it alias their input's buffer (which then holds the
// pooled map), and element-wise ops run in place when nothing else still reads their input.
// Before any step is made, each node is checked against what the kernels can index: a lane's
// output of a node, and every weight, at most 2^31 − 1 floats (the C kernels' and BLAS's
// 32-bit sizes), and a window at most `maximumTaps` taps (their tap offsets live on the stack).

/// The compiled form of a model: steps in order and which buffer holds each node's output.
import NNCore

struct ExecutionPlan {
    var steps: [Step] = []
    /// Buffer index holding each node's output.
    var bufferOfNode: [Int]
    /// Per-sample capacity of each buffer (floats).
    var bufferSampleSizes: [Int] = []
    /// Floats of scratch of the step that needs most (convolution sources, panels, Winograd
    /// chunks; padded planes).
    var scratchSize = 0

    /// The most taps (kh·kw) a conv or pool window may have: a 128x128 kernel, 128 KB of tap
    /// offsets on a kernel thread's stack.
    static let maximumTaps = 1 << 14

    /// - Parameters:
    ///   - maxBatch: samples per lane.
    ///   - sparseDensityLimit: convs with at most this density of nonzero weights use the sparse
    ///     kernel; nil: each conv kind's measured crossover (`SparseCrossover`).
    ///   - winograd: let dense stride-1 3x3 convs run as Winograd F(4x4, 3x3) and dense stride-2 7x7
    ///     ones as F(4x4, 4x4) over their stride phases.
    ///   - outputSplits: threads that share a single image's output channels.
    init(model: Model, shapes: [[Int]], maxBatch: Int, foldBatchNorm: Bool, sparseDensityLimit: Double?, winograd: Bool,
         outputSplits: Int) throws {
        try Self.checkLimits(model: model, shapes: shapes, maxBatch: maxBatch)
        let graph = model.graph
        let consumers = graph.consumers
        bufferOfNode = Array(repeating: -1, count: graph.nodes.count)
        var remainingUses: [Int] = []
        var free: [Int] = []
        let sizes = shapes.map { $0.reduce(1, *) }

        // A BatchNorm folds into the conv before it when that conv feeds nothing else.
        var foldedInto: [Int: Int] = [:]  // bn node → conv node
        if foldBatchNorm {
            for (i, node) in graph.nodes.enumerated() {
                if case .batchNorm = node.op, case .conv2d = graph.nodes[node.inputs[0]].op, consumers[node.inputs[0]] == [i] {
                    foldedInto[i] = node.inputs[0]
                }
            }
        }
        let foldedBN = Dictionary(uniqueKeysWithValues: foldedInto.map { ($1, $0) })  // conv → bn
        // An activation fuses into the conv (or folded conv + BN), or the add, that only it reads.
        var fusedActivation: [Int: Int] = [:]  // conv or add node → activation node
        for (i, node) in graph.nodes.enumerated() where Activation(node.op) != nil {
            let input = node.inputs[0]
            guard consumers[input] == [i], input != graph.outputIndex else { continue }
            if case .conv2d = graph.nodes[input].op, foldedBN[input] == nil { fusedActivation[input] = i }
            if case .add = graph.nodes[input].op { fusedActivation[input] = i }
            if let conv = foldedInto[input] { fusedActivation[conv] = i }
        }
        // A max pool fuses into the conv step (conv, folded BN, fused activation) whose output only it reads.
        var fusedPool: [Int: Int] = [:]  // conv node → max pool node
        let activationOwner = Dictionary(fusedActivation.map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        for (i, node) in graph.nodes.enumerated() {
            guard case .maxPool = node.op, consumers[node.inputs[0]] == [i], node.inputs[0] != graph.outputIndex else { continue }
            let input = node.inputs[0]
            let owner = activationOwner[input] ?? foldedInto[input] ?? input
            if case .conv2d = graph.nodes[owner].op { fusedPool[owner] = i }
        }
        let fused = Set(fusedActivation.values).union(fusedPool.values)

        func uses(_ node: Int) -> Int { consumers[node].count + (node == graph.outputIndex ? 1 : 0) }
        func allocate(_ size: Int) -> Int {
            if let k = free.firstIndex(where: { bufferSampleSizes[$0] >= size }) ?? free.indices.last {
                let b = free.remove(at: k)
                bufferSampleSizes[b] = max(bufferSampleSizes[b], size)
                return b
            }
            bufferSampleSizes.append(size)
            remainingUses.append(0)
            return bufferSampleSizes.count - 1
        }

        for (i, node) in graph.nodes.enumerated() {
            let inputBuffers = node.inputs.map { bufferOfNode[$0] }
            let aliasesAlways: Bool
            switch node.op {
            case .flatten, .identity: aliasesAlways = true
            case .batchNorm: aliasesAlways = foldedInto[i] != nil
            default: aliasesAlways = fused.contains(i)
            }
            let inPlaceCapable: Bool
            switch node.op {
            case .batchNorm, .add, .mul, .layerNorm, .channelScale: inPlaceCapable = true
            default: inPlaceCapable = Activation(node.op) != nil
            }
            // A conv's buffer holds the pooled map when a max pool is fused into it.
            let size = fusedPool[i].map { sizes[$0] } ?? sizes[i]
            if case .input = node.op {
                bufferOfNode[i] = allocate(size)
                remainingUses[bufferOfNode[i]] = uses(i)
                continue
            }
            let b: Int
            if aliasesAlways {
                b = inputBuffers[0]
                remainingUses[b] += uses(i) - 1
            } else if inPlaceCapable && remainingUses[inputBuffers[0]] == 1 && (inputBuffers.count == 1 || inputBuffers[1] != inputBuffers[0]) {
                b = inputBuffers[0]
                remainingUses[b] = uses(i)
            } else {
                b = allocate(size)
                remainingUses[b] = uses(i)
                for input in inputBuffers {
                    remainingUses[input] -= 1
                    if remainingUses[input] == 0 { free.append(input) }
                }
            }
            bufferOfNode[i] = b
            if let step = try Self.step(for: i, model: model, shapes: shapes, inputBuffers: inputBuffers, output: b,
                                        foldedBN: foldedBN[i].map { graph.nodes[$0] }, isFolded: foldedInto[i] != nil || fused.contains(i),
                                        epilogue: fusedActivation[i].flatMap { Activation(graph.nodes[$0].op) },
                                        pool: fusedPool[i].flatMap { pool in
                                            guard case .maxPool(let a) = graph.nodes[pool].op else { return nil }
                                            return (a, shapes[pool])
                                        }) {
                if case .conv(var conv) = step {
                    conv.selectKernel(densityLimit: sparseDensityLimit, winograd: winograd, capacity: maxBatch, outputSplits: outputSplits)
                    scratchSize = max(scratchSize, conv.scratchSize)
                    steps.append(.conv(conv))
                } else {
                    if case .pool(let pool) = step { scratchSize = max(scratchSize, pool.scratchSize) }
                    if case .layerNorm(let norm) = step { scratchSize = max(scratchSize, norm.scratchSize) }
                    steps.append(step)
                }
            }
            // Inputs of an in-place node other than the aliased one still lose a use.
            if b == inputBuffers.first, !aliasesAlways {
                for input in inputBuffers.dropFirst() {
                    remainingUses[input] -= 1
                    if remainingUses[input] == 0 { free.append(input) }
                }
            }
        }
    }

    /// Throws `NNError.shapeMismatch` naming the first node whose output for `maxBatch` samples
    /// or weight has more than `Int32.max` floats, or whose window has more than `maximumTaps`.
    private static func checkLimits(model: Model, shapes: [[Int]], maxBatch: Int) throws {
        let largest = Int(Int32.max)
        for (node, shape) in zip(model.graph.nodes, shapes) {
            func fail(_ reason: String) -> NNError { .shapeMismatch(node: node.name, reason: reason) }
            guard let floats = (shape + [maxBatch]).checkedProduct, floats <= largest else {
                throw fail("its output \(shape) for the \(maxBatch) samples of a thread has more than the kernels' \(largest) floats; use a smaller batch")
            }
            let kernel: Size2?
            switch node.op {
            case .conv2d: kernel = model.stateDict.tensor("\(node.name).weight").map { Size2($0.shape[2], $0.shape[3]) }
            case .maxPool(let a), .avgPool(let a): kernel = a.kernel
            default: kernel = nil
            }
            if let kernel, kernel.h * kernel.w > maximumTaps {
                throw fail("its \(kernel.h)x\(kernel.w) window has more than the engine's \(maximumTaps) taps")
            }
            if let weight = model.stateDict.tensor("\(node.name).weight"), node.op.isParametric, weight.count > largest {
                throw fail("its weight \(weight.shape) has more than the kernels' \(largest) floats")
            }
        }
    }

    /// The step of node `i`; nil for nodes that only alias (and for a BatchNorm, activation or
    /// max pool `isFolded` into its conv, whose step applies `foldedBN`, `epilogue` and `pool`).
    private static func step(for i: Int, model: Model, shapes: [[Int]], inputBuffers: [Int], output: Int,
                             foldedBN: Node?, isFolded: Bool, epilogue: Activation?,
                             pool: (Pool2dAttributes, [Int])?) throws -> Step? {
        let node = model.graph.nodes[i]
        let dict = model.stateDict
        let input = shapes[node.inputs.first ?? 0]
        let count = shapes[i].reduce(1, *)
        switch node.op {
        case .input, .flatten, .identity:
            return nil
        case .conv2d(let a):
            var conv = ConvStep(name: node.name, attributes: a, weight: dict.tensor("\(node.name).weight")!,
                                bias: dict.tensor("\(node.name).bias"), input: input, output: shapes[i],
                                source: inputBuffers[0], destination: output, epilogue: epilogue, pool: pool)
            if let bn = foldedBN { conv.fold(ChannelAffine(batchNorm: bn.name, node: bn, stateDict: dict)) }
            return .conv(conv)
        case .batchNorm:
            if isFolded { return nil }
            return .affine(ChannelAffine(batchNorm: node.name, node: node, stateDict: dict), channels: input[0],
                           spatial: input[1] * input[2], source: inputBuffers[0], destination: output)
        case .relu, .relu6, .leakyRelu, .clip, .sigmoid, .hardSigmoid, .hardSwish, .silu, .gelu:
            if isFolded { return nil }
            return .activation(Activation(node.op)!, count: count, source: inputBuffers[0], destination: output)
        case .mul:
            let perChannel = shapes[node.inputs[1]] != shapes[i]
            return .mul(count: count, channels: input[0], perChannel: perChannel, first: inputBuffers[0], second: inputBuffers[1], destination: output)
        case .concat:
            return .concat(sizes: node.inputs.map { shapes[$0].reduce(1, *) }, sources: inputBuffers, destination: output)
        case .channelSlice(let start, _):
            let plane = input[1] * input[2]
            return .slice(size: input.reduce(1, *), start: start * plane, count: count, source: inputBuffers[0], destination: output)
        case .channelShuffle(let groups):
            return .shuffle(channels: input[0], spatial: input[1] * input[2], groups: groups, source: inputBuffers[0], destination: output)
        case .maxPool(let a):
            if isFolded { return nil }
            return .pool(PoolStep(max: true, attributes: a, input: input, output: shapes[i], source: inputBuffers[0], destination: output))
        case .avgPool(let a):
            return .pool(PoolStep(max: false, attributes: a, input: input, output: shapes[i], source: inputBuffers[0], destination: output))
        case .adaptiveAvgPool:
            return .adaptiveAvgPool(input: input, output: shapes[i], source: inputBuffers[0], destination: output)
        case .add:
            return .add(count: count, first: inputBuffers[0], second: inputBuffers[1], destination: output, epilogue: epilogue)
        case .linear:
            return .linear(LinearStep(weight: dict.tensor("\(node.name).weight")!, bias: dict.tensor("\(node.name).bias"),
                                      positions: shapes[i].dropFirst().reduce(1, *), source: inputBuffers[0], destination: output))
        case .layerNorm(let eps):
            return .layerNorm(LayerNormStep(name: node.name, eps: eps, stateDict: dict, shape: input,
                                            source: inputBuffers[0], destination: output))
        case .channelScale:
            return .affine(ChannelAffine(layerScale: node.name, stateDict: dict), channels: input[0],
                           spatial: input[1] * input[2], source: inputBuffers[0], destination: output)
        }
    }
}
