// ForwardPass: what a training forward keeps for the backward: every node's output for the
// batch, in graph order (the tape), and each dropout's mask. Each op's backward reads its
// inputs and output from it.

import NNCore

/// Every node's output of one forward over a batch.
public struct ForwardPass: Sendable {
    /// Node outputs by node index, each with the batch as its first axis (`[N, C, H, W]` or `[N, F]`).
    public let outputs: [Tensor]
    /// Whether the forward ran in training mode (batch statistics in BatchNorm).
    public let training: Bool
    /// Each dropout's factors in this pass (0 or `1/(1 − p)`, its output's shape), by node
    /// index: its backward multiplies by the same mask. No entry where nothing was dropped.
    public let dropoutMasks: [Int: Tensor]

    /// The network's output (the last node's), e.g. the logits `[N, K]`.
    public var output: Tensor { outputs[outputs.count - 1] }
}

/// What one node's backward gives: the gradient for each of its inputs and for its parameters.
struct NodeGradient {
    /// `∂L/∂input` per input, in the node's input order; nil where none is needed.
    var inputs: [Tensor?]
    /// `∂L/∂parameter` by state-dict key.
    var parameters: [(key: String, gradient: Tensor)] = []
}

/// What a node's backward reads besides the model: its inputs, its output, the gradient
/// arriving at its output, and which inputs need a gradient (none flows to the network input).
struct BackwardContext {
    let node: Node
    let inputs: [Tensor]
    let output: Tensor
    /// `∂L/∂output`, the output's shape.
    let gradient: Tensor
    /// Per input, whether its gradient is needed.
    let needsInputGradient: [Bool]
    /// Whether the forward ran in training mode.
    let training: Bool
    /// A dropout's factors from the forward (`ForwardPass.dropoutMasks`), else nil.
    var dropoutMask: Tensor? = nil

    /// The gradient at the output of an op whose output has its first input's shape, or
    /// `TrainingError.shapeMismatch` naming the node when it has another.
    func gradientOfInputShape() throws -> Tensor {
        guard gradient.shape == inputs[0].shape else {
            throw TrainingError.shapeMismatch("\(node.name): the gradient is \(gradient.shape), the input \(inputs[0].shape)")
        }
        return gradient
    }
}
