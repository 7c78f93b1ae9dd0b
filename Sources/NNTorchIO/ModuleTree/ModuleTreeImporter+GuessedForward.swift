// ModuleTreeImporter+GuessedForward: the root class whose forward() Shears cannot know (a
// user's `StudentNet`), run as its children in order only where nothing visible contradicts
// that, and announced as a warning naming the assumption. What contradicts it, each refused
// in one line naming the file, the modules and the way to give the exact graph:
//   - two parameterised layers (Conv2d, BatchNorm2d, Linear) meeting at a join between the
//     root's children with no activation module between them (pools, flatten, dropout and
//     identity are looked through), where this model's own Sequentials never feed a layer of
//     that class into another without one: forward() applies a functional op
//     there (F.relu, `+ identity`) that the tree cannot show. Conv → BatchNorm is the one
//     pair every pattern writes bare;
//   - a join where the channels do not fit (`head.0` takes 16, the child before gives 8):
//     forward() concatenates or branches;
//   - two layers with the same parameters (one module registered under two names, or reached
//     twice in a pickle): forward() may call it anywhere, any number of times.
// Below the root an unknown class is refused outright (ModuleTreeImporter.swift): a custom
// block exists to do more than a Sequential. What stays invisible (a residual whose widths
// also fit a chain, one module called twice under one name) is why the guess is a warning.

import NNCore

extension ModuleTreeImporter {
    /// How to give a model's exact graph, ending every refusal.
    static let wayOut = "save it with torch.export.save(torch.export.export(model, (x,)), 'model.pt2') or export it with torch.onnx.export"
}

/// A join between two children of a root whose forward is guessed: the node the earlier
/// children end with, and the nodes the next child emitted.
struct Seam {
    let output: Int
    let next: Range<Int>
}

extension TreeTranslation {
    /// The root's children applied in order, each join recorded for `checkGuessedForward`.
    mutating func guessedChildren(_ module: ModuleTree, input x: Int) throws -> Int {
        var y = x
        for child in module.children {
            let start = builder.nodes.count, before = y
            y = try self.module(child.module, path: child.name, input: y)
            if before != builder.input { seams.append(Seam(output: before, next: start..<builder.nodes.count)) }
        }
        warnings.append("the model (\(module.className)): forward() assumed to be its children in order (\(module.children.map(\.name).joined(separator: ", "))), flattening before the first Linear; if forward() does more (a functional activation, a residual add, a concatenation), the logits are wrong: \(ModuleTreeImporter.wayOut)")
        return y
    }

    /// Refuses a guessed forward that the model's structure contradicts (see the file comment).
    func checkGuessedForward(of tree: ModuleTree, in model: Model) throws {
        guard !warnings.isEmpty else { return }
        let nodes = model.graph.nodes
        func describe(_ i: Int) -> String { "'\(nodes[i].name)' (\(Self.layerClass(nodes[i].op)))" }
        // Channels at each join.
        var joins: Set<[Int]> = []
        var known: [Int: Int] = [:]
        for seam in seams {
            for v in seam.next where nodes[v].inputs.contains(seam.output) {
                joins.insert([seam.output, v])
                guard let takes = inputChannels(of: nodes[v], model), let gives = model.outputChannels(of: seam.output, known: &known), takes != gives else { continue }
                throw refusal("", tree, "\(describe(v)) takes \(takes) channels but the child before it gives \(gives): the children do not fit in order, so forward() combines them (a concatenation or branches)")
            }
        }
        // Parameterised layers meeting bare: at a join (suspects) or inside the model's own
        // Sequentials (evidence of its style; torchvision's blocks are not its author's).
        var opened = [Int](repeating: 0, count: nodes.count + 1), open = 0
        for range in knownNodes where range.upperBound <= nodes.count { opened[range.lowerBound] += 1; opened[range.upperBound] -= 1 }
        let torchvision = opened.dropLast().map { open += $0; return open > 0 }
        var suspects: [(from: Int, to: Int)] = []
        var bareAfter: Set<String> = []
        for (q, node) in nodes.enumerated() where node.op.isParametric {
            var p = q, crossed = false
            repeat {
                guard let input = nodes[p].inputs.first else { break }
                crossed = crossed || joins.contains([input, p])
                p = input
            } while Self.isTransparent(nodes[p].op)
            guard p != q, nodes[p].op.isParametric else { continue }
            if case .conv2d = nodes[p].op, case .batchNorm = node.op { continue }
            if crossed { suspects.append((p, q)) } else if !torchvision[q] { bareAfter.insert(Self.layerClass(nodes[p].op)) }
        }
        if let (p, q) = suspects.first(where: { !bareAfter.contains(Self.layerClass(nodes[$0.from].op)) }) {
            throw refusal("", tree, "\(describe(p)) feeds \(describe(q)) with no activation module between them, and nowhere in the model's own Sequentials does a \(Self.layerClass(nodes[p].op)) feed a layer bare: forward() must apply a functional op there (F.relu, a residual add) that a module tree cannot show")
        }
        // One module's parameters under two names: equal hashes, then equal tensors (no copies kept).
        func parameters(_ i: Int) -> [Tensor] {
            ["weight", "bias", "running_mean", "running_var"].compactMap { model.stateDict.tensor("\(nodes[i].name).\($0)") }
        }
        var owners: [Int: [Int]] = [:]
        for (i, node) in nodes.enumerated() where node.op.isParametric {
            let tensors = parameters(i)
            guard tensors.contains(where: { t in t.scalars.contains { $0 != t.scalars.first } }) else { continue }
            var hasher = Hasher()
            for tensor in tensors { hasher.combine(tensor.shape); hasher.combine(tensor.scalars) }
            let key = hasher.finalize()
            if let first = owners[key]?.first(where: { parameters($0) == tensors }) {
                throw refusal("", tree, "\(describe(first)) and \(describe(i)) hold the same parameters: one module registered under two names, which forward() may call anywhere, any number of times")
            }
            owners[key, default: []].append(i)
        }
    }

    /// The channels `node` reads, where its parameters say (a conv's and a BatchNorm's).
    private func inputChannels(of node: Node, _ model: Model) -> Int? {
        switch node.op {
        case .conv2d(let a):
            guard let w = model.stateDict.tensor("\(node.name).weight"), w.rank == 4 else { return nil }
            let (channels, overflow) = w.shape[1].multipliedReportingOverflow(by: a.groups)
            return overflow ? nil : channels
        case .batchNorm: return model.stateDict.tensor("\(node.name).running_mean")?.shape.first
        default: return nil
        }
    }

    /// Ops looked through between two layers (pools, flatten, identity): a functional
    /// activation could sit on either side of them.
    private static func isTransparent(_ op: Op) -> Bool {
        switch op {
        case .maxPool, .avgPool, .adaptiveAvgPool, .flatten, .identity, .dropout: return true
        default: return false
        }
    }

    /// The PyTorch class of a parameterised op, for messages and evidence.
    private static func layerClass(_ op: Op) -> String {
        switch op {
        case .conv2d: return "Conv2d"
        case .batchNorm: return "BatchNorm2d"
        case .linear: return "Linear"
        default: return "\(op)"
        }
    }
}
