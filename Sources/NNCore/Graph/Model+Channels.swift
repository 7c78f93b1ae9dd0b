// Model+Channels: a node's channel count read off the parameters alone, with no input size:
// what the ONNX exporter needs for a channel shuffle's permutation and the importer for an
// even Split. Convs set the count (weight `[out, in/groups, kh, kw]`), and so does a linear
// layer on a feature map (`[out, in]`); a concat sums its inputs', a channel slice picks its
// own, a flatten ends it; every other op keeps
// its first input's. The image input has the channels of the first conv that reads it.
// Each node is counted once, walked with an explicit stack: a graph from an untrusted file may
// be a chain of thousands of nodes, or concatenate a node with itself at every level (2^k
// paths). The counts found can be kept between calls on a graph that only grows (`known`).

extension Model {
    /// Output channels of node `index`; nil after a flatten or where no conv tells (or the
    /// sum of a concat's overflows).
    public func outputChannels(of index: Int) -> Int? {
        var known: [Int: Int] = [:]
        return outputChannels(of: index, known: &known)
    }

    /// `outputChannels(of:)`, reading and adding to `known`: counts found by earlier calls on
    /// this graph or on the graph it grew from by appending nodes.
    public func outputChannels(of index: Int, known: inout [Int: Int]) -> Int? {
        let nodes = graph.nodes
        var stack = [index]
        while let i = stack.last {
            if known[i] != nil { stack.removeLast(); continue }
            let node = nodes[i]
            // Every input must be an earlier node; a malformed graph has no answer.
            guard node.inputs.allSatisfy({ $0 < i }) else { return nil }
            let count: Int?
            switch node.op {
            case .input:
                count = nodes.lazy.compactMap { reader -> Int? in
                    guard case .conv2d(let a) = reader.op, reader.inputs.contains(0) else { return nil }
                    guard let w = self.stateDict.tensor("\(reader.name).weight"), w.rank == 4,
                          case let (channels, overflow) = w.shape[1].multipliedReportingOverflow(by: a.groups), !overflow else { return nil }
                    return channels
                }.first
            case .conv2d: count = stateDict.tensor("\(node.name).weight")?.shape.first
            case .channelSlice(_, let slice): count = slice
            case .flatten: count = nil
            case .linear:
                // On a feature map (its input has channels) it sets them; after a flatten, none.
                guard let input = node.inputs.first else { return nil }
                if known[input] == nil { stack.append(input); continue }
                count = stateDict.tensor("\(node.name).weight")?.shape.first
            case .concat:
                let pending = node.inputs.filter { known[$0] == nil }
                if !pending.isEmpty { stack += pending; continue }
                count = node.inputs.map { known[$0]! }.reduce(Optional(0)) { sum, c in
                    sum.flatMap { $0.addingReportingOverflow(c).overflow ? nil : $0 + c }
                }
            default:
                guard let input = node.inputs.first else { return nil }
                if known[input] == nil { stack.append(input); continue }
                count = known[input]
            }
            // Any node without a count leaves the one asked about without one.
            guard let count else { return nil }
            known[i] = count
            stack.removeLast()
        }
        return known[index]
    }
}
