// Model+Channels: a node's channel count read off the parameters alone, with no input size:
// what the ONNX exporter needs for a channel shuffle's permutation and the importer for an
// even Split. Convs set the count (weight `[out, in/groups, kh, kw]`), a concat sums its
// inputs', a channel slice picks its own, a flatten or linear ends it; every other op keeps
// its first input's. The image input has the channels of the first conv that reads it.
// Each node is counted once, in a loop: a graph from an untrusted file may be a chain of
// thousands of nodes, or concatenate a node with itself at every level (2^k paths).

extension Model {
    /// Output channels of node `index`; nil after a flatten or where no conv tells (or the
    /// sum of a concat's overflows).
    public func outputChannels(of index: Int) -> Int? {
        var counts: [Int: Int?] = [:]
        var pending = [index]
        while let next = pending.last {
            guard counts[next] == nil else { pending.removeLast(); continue }
            let node = graph.nodes[next]
            let inputs: [Int]
            switch node.op {
            case .input, .conv2d, .channelSlice, .flatten, .linear: inputs = []
            case .concat: inputs = node.inputs
            default: inputs = Array(node.inputs.prefix(1))
            }
            let missing = inputs.filter { counts[$0] == nil }
            guard missing.isEmpty else { pending += missing; continue }
            pending.removeLast()
            let known = inputs.compactMap { counts[$0] ?? nil }
            let count: Int?
            switch node.op {
            case .input: count = firstConvInputChannels()
            case .conv2d: count = stateDict.tensor("\(node.name).weight")?.shape.first
            case .concat:
                let sum = known.reduce((0, false)) { sum, part in
                    let (value, overflow) = sum.0.addingReportingOverflow(part)
                    return (value, sum.1 || overflow)
                }
                count = known.count == inputs.count && !sum.1 ? sum.0 : nil
            case .channelSlice(_, let sliced): count = sliced
            case .flatten, .linear: count = nil
            default: count = known.first
            }
            counts[next] = .some(count)
        }
        return counts[index] ?? nil
    }

    /// The input channels of the first conv that reads the image input, if any (nil when its
    /// weight is not `[out, in/groups, kh, kw]`: the state dict may not be checked yet).
    private func firstConvInputChannels() -> Int? {
        for reader in graph.consumers[0] {
            if case .conv2d(let a) = graph.nodes[reader].op, let w = stateDict.tensor("\(graph.nodes[reader].name).weight") {
                guard w.rank == 4 else { return nil }
                let (channels, overflow) = w.shape[1].multipliedReportingOverflow(by: a.groups)
                return overflow ? nil : channels
            }
        }
        return nil
    }
}
