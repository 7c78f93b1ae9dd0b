// Graph: a topologically ordered list of nodes. Node 0 is the input; the last node is
// the output. Each node names the PyTorch module it stands for, so that a parametric
// node finds its tensors in the StateDict under "<name>.weight" and so on.

/// One node: an op applied to earlier nodes' outputs.
public struct Node: Equatable, Sendable {
    /// The module path in PyTorch ("layer1.0.conv1", "fc"); unique within the graph.
    public var name: String
    public var op: Op
    /// Indices of the nodes whose outputs feed this one (all smaller than this node's index).
    public var inputs: [Int]

    public init(name: String, op: Op, inputs: [Int]) {
        self.name = name; self.op = op; self.inputs = inputs
    }
}

/// A feed-forward network as a DAG in topological order.
public struct Graph: Equatable, Sendable {
    public var nodes: [Node]

    public init(nodes: [Node]) { self.nodes = nodes }

    /// Index of the output node (the last one).
    public var outputIndex: Int { nodes.count - 1 }

    /// Index of the node called `name`, if any.
    public func index(of name: String) -> Int? { nodes.firstIndex { $0.name == name } }

    /// For each node, the indices of the nodes that read its output.
    public var consumers: [[Int]] {
        var result = [[Int]](repeating: [], count: nodes.count)
        for (i, node) in nodes.enumerated() { for input in node.inputs { result[input].append(i) } }
        return result
    }

    /// For each node, whether its output is a feature map `[C, H, W]` (else a vector `[F]`):
    /// the input is a map, a flatten makes a vector, every other op keeps its first input's
    /// kind (so a linear layer on a feature map, which acts on the channels at each position,
    /// gives a map). Read off the graph alone, with no input size.
    public var producesFeatureMap: [Bool] {
        var result: [Bool] = []
        for node in nodes {
            let input = node.inputs.first.map { $0 < result.count && result[$0] } ?? true
            if case .flatten = node.op { result.append(false) } else { result.append(input) }
        }
        return result
    }
}

/// Builds a graph one node at a time; each `add` returns the new node's index.
public struct GraphBuilder {
    public private(set) var nodes: [Node] = [Node(name: "input", op: .input, inputs: [])]

    public init() {}

    /// Index of the input node.
    public var input: Int { 0 }

    /// Appends `op` reading `inputs` under `name`; returns its index.
    @discardableResult
    public mutating func add(_ name: String, _ op: Op, _ inputs: Int...) -> Int {
        add(name, op, inputs: inputs)
    }

    /// Appends `op` reading `inputs` (each an earlier node) under `name`; returns its index.
    @discardableResult
    public mutating func add(_ name: String, _ op: Op, inputs: [Int]) -> Int {
        nodes.append(Node(name: name, op: op, inputs: inputs))
        return nodes.count - 1
    }

    /// The finished graph; its output is the last node added.
    public var graph: Graph { Graph(nodes: nodes) }
}
