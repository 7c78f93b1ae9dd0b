// Model: a graph plus the named tensors it runs with. The unit every module passes around:
// Prune maps Model → Model, Quantize encodes a Model's StateDict, the Executor runs it.

/// A network ready to run: its graph, its parameters and the name of its architecture.
public struct Model: Equatable, Sendable {
    /// Catalog name ("resnet18", "student", "plain-cnn", …).
    public var architecture: String
    public var graph: Graph
    /// Parameters and buffers by PyTorch name. May hold entries no node reads
    /// (e.g. `num_batches_tracked`); every node's parameters must be present.
    public var stateDict: StateDict

    public init(architecture: String, graph: Graph, stateDict: StateDict) {
        self.architecture = architecture; self.graph = graph; self.stateDict = stateDict
    }
}
