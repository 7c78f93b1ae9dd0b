// Model+Channels: a node's channel count read off the parameters alone, with no input size:
// what the ONNX exporter needs for a channel shuffle's permutation and the importer for an
// even Split. Convs set the count (weight `[out, in/groups, kh, kw]`), a concat sums its
// inputs', a channel slice picks its own, a flatten or linear ends it; every other op keeps
// its first input's. The image input has the channels of the first conv that reads it.

extension Model {
    /// Output channels of node `index`; nil after a flatten or where no conv tells.
    public func outputChannels(of index: Int) -> Int? {
        let node = graph.nodes[index]
        switch node.op {
        case .input:
            for reader in graph.consumers[0] {
                if case .conv2d(let a) = graph.nodes[reader].op, let w = stateDict.tensor("\(graph.nodes[reader].name).weight") {
                    return w.shape[1] * a.groups
                }
            }
            return nil
        case .conv2d: return stateDict.tensor("\(node.name).weight")?.shape.first
        case .concat:
            let parts = node.inputs.compactMap { outputChannels(of: $0) }
            return parts.count == node.inputs.count ? parts.reduce(0, +) : nil
        case .channelSlice(_, let count): return count
        case .flatten, .linear: return nil
        default: return node.inputs.first.flatMap { outputChannels(of: $0) }
        }
    }
}
