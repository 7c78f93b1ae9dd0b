// ONNXImporter+Channels: the ops that split, join and pick channels. Concat along
// channels; a channel split (Split, or Slice on axis 1, bounds constant or folded from
// the input's channel count) becomes channel slices; a Gather of constant channel indices a
// channel slice (a range) or a channel shuffle (the permutation ONNXExporter writes).
// ShuffleNet's view → transpose → view form of the shuffle is ONNXImporter+Reshape's.

import NNCore

extension ONNXImporter.GraphTranslation {
    mutating func concat(_ n: ONNXAttributes) throws {
        try channelAxis(n, 1, "concatenates")
        emit(n, .concat, try n.node.input.indices.map { try graphInput(n, $0).index }, rank: 3)
    }

    mutating func split(_ n: ONNXAttributes) throws {
        let x = try graphInput(n, 0)
        try channelAxis(n, 0, "splits")
        guard x.rank == 3, let channels = currentChannels(of: x.index) else {
            throw n.unsupported("only a split of a feature map's channels (axis 1) is supported")
        }
        let outputs = n.node.output.count
        let declared = try n.int("num_outputs", outputs, in: 1...Int.max)
        guard declared == outputs else { throw n.invalid("num_outputs \(declared) but \(outputs) outputs") }
        // Without split sizes (num_outputs), torch.chunk's: ceil(C / n) each, the rest last.
        let chunk = (channels + outputs - 1) / outputs
        let sizes = try integers(n, 1, or: "split") ?? (0..<outputs).map { min(chunk, channels - $0 * chunk) }
        guard sizes.count == outputs, sizes.allSatisfy({ (1...channels).contains($0) }), sizes.reduce(0, +) == channels else {
            throw n.invalid("split sizes \(sizes) do not cover \(channels) channels in \(outputs) parts")
        }
        var start = 0
        for (k, size) in sizes.enumerated() {
            let index = builder.add(uniqueName(n.node, parameterName: nil), .channelSlice(start: start, count: size), inputs: [x.index])
            values[n.node.output[k]] = .node(index, rank: 3)
            start += size
        }
    }

    /// Constant channel indices (what ONNXExporter writes): a shuffle's permutation or a range.
    mutating func gather(_ n: ONNXAttributes) throws {
        let x = try graphInput(n, 0)
        try channelAxis(n, 0, "gathers")
        guard x.rank == 3, let indices = try integers(n, 1), let channels = currentChannels(of: x.index) else {
            throw n.unsupported("only a gather of a feature map's channels (axis 1, constant indices) is supported")
        }
        guard indices.allSatisfy({ (0..<channels).contains($0) }) else {
            throw n.invalid("indices \(indices.count > 8 ? "\(indices.prefix(8))…" : "\(indices)") are not all within the input's \(channels) channels")
        }
        // A shuffle of g groups reads channel C/g second: that alone can tell g.
        let groups = indices.count == channels && channels > 1 && indices[1] > 0 && channels % indices[1] == 0 ? channels / indices[1] : 0
        if let first = indices.first, indices == Array(first..<(first + indices.count)) {
            emit(n, .channelSlice(start: first, count: indices.count), [x.index], rank: 3)
        } else if groups >= 2, indices == (0..<channels).map({ k in (k % groups) * (channels / groups) + k / groups }) {
            emit(n, .channelShuffle(groups: groups), [x.index], rank: 3)
        } else {
            throw n.unsupported("the channel indices are neither a range nor a channel shuffle")
        }
    }

    mutating func slice(_ n: ONNXAttributes) throws {
        let x = try graphInput(n, 0)
        let starts = try integers(n, 1) ?? [], ends = try integers(n, 2) ?? []
        let axes = try integers(n, 3) ?? [0], steps = try integers(n, 4) ?? [1]
        guard x.rank == 3, axes == [1] || axes == [-3], steps == [1], starts.count == 1, ends.count == 1,
              let channels = currentChannels(of: x.index) else {
            throw n.unsupported("only a slice of a feature map's channels (axis 1, step 1, constant bounds) is supported")
        }
        let clamp = { (v: Int) -> Int in min(max(v < 0 ? v + channels : v, 0), channels) }
        let (begin, end) = (clamp(starts[0]), clamp(ends[0]))
        guard end > begin else { throw n.unsupported("the slice [\(begin), \(end)) of \(channels) channels is empty") }
        emit(n, .channelSlice(start: begin, count: end - begin), [x.index], rank: 3)
    }
}
