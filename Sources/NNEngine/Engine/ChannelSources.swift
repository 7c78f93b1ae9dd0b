// ChannelSources: where the channels of a per-channel step's input live: one buffer, or the
// inputs of a concat fused into the step (DenseNet's `cat` → BatchNorm → ReLU before each
// layer's conv reads the concat's inputs where they are, with no copy into a concat buffer).

/// The input channels of an affine step, per sample: the channels of `buffers[0]`, then those
/// of `buffers[1]`, …; buffer k holds `channels[k]` planes per sample.
struct ChannelSources: Equatable {
    let buffers: [Int]
    let channels: [Int]
    /// For each channel of the whole input: the index of its source (into `buffers`) and its
    /// channel within that source.
    let sourceOfChannel: [Int], channelInSource: [Int]

    /// The channels of `channels[k]` planes per sample in buffer `buffers[k]`, in order.
    init(buffers: [Int], channels: [Int]) {
        self.buffers = buffers
        self.channels = channels
        sourceOfChannel = channels.indices.flatMap { k in Array(repeating: k, count: channels[k]) }
        channelInSource = channels.flatMap { 0..<$0 }
    }

    /// All `channels` planes of one buffer.
    init(buffer: Int, channels: Int) { self.init(buffers: [buffer], channels: [channels]) }

    /// Channels per sample of the whole input.
    var total: Int { sourceOfChannel.count }

    /// The first float of plane `plane` (sample `plane / total`, channel `plane % total`) of
    /// planes of `spatial` floats.
    @inline(__always)
    func plane(_ plane: Int, spatial: Int, in buffers: [UnsafeMutablePointer<Float>]) -> UnsafePointer<Float> {
        let n = plane / total, c = plane - n * total, k = sourceOfChannel[c]
        return UnsafePointer(buffers[self.buffers[k]] + (n * channels[k] + channelInSource[c]) * spatial)
    }
}
