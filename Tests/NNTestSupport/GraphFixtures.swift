// GraphFixtures: small graphs built in Swift for the shape, plan and executor tests.

import NNCore

public enum GraphFixtures {
    /// `input → conv (weight [4, 3 / groups, k, k]) → relu → global pool → flatten`.
    public static func convModel(_ attributes: Conv2dAttributes, kernel: Int = 3, inputChannels: Int = 3) -> Model {
        var graph = GraphBuilder()
        let conv = graph.add("conv", .conv2d(attributes), graph.input)
        let relu = graph.add("relu", .relu, conv)
        let pool = graph.add("pool", .adaptiveAvgPool(Size2(1)), relu)
        graph.add("flatten", .flatten, pool)
        var dict = StateDict()
        dict.setTensor("conv.weight", Tensor(shape: [4, max(inputChannels / max(attributes.groups, 1), 1), kernel, kernel], repeating: 0.1))
        return Model(architecture: "test", graph: graph.graph, stateDict: dict)
    }
}
