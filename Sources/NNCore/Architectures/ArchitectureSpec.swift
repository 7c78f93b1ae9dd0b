// ArchitectureSpec: what every catalog family provides: read its hyper-parameters from a
// state dict, build the graph, and say which keys with which shapes it expects, so that
// loading is verified as strictly as `load_state_dict(strict=True)`.

/// A network family of the catalog, with its sizes read from a checkpoint.
package protocol ArchitectureSpec {
    /// Catalog name ("resnet18", "student", …).
    var name: String { get }
    /// The graph; nodes named after the PyTorch modules.
    func graph() -> Graph
    /// Every state-dict key the PyTorch module would hold, with its shape.
    func expectedShapes() -> [(key: String, shape: [Int])]
}

extension ArchitectureSpec {
    /// Builds the model and checks `stateDict` against `expectedShapes()`: one error listing
    /// missing keys, unexpected keys and each shape mismatch.
    package func model(with stateDict: StateDict) throws -> Model {
        let expected = expectedShapes()
        let expectedKeys = Set(expected.map(\.key))
        let missing = expected.map(\.key).filter { stateDict[$0] == nil }
        let unexpected = stateDict.keys.filter { !expectedKeys.contains($0) }
        let mismatched = expected.compactMap { key, shape -> String? in
            guard let actual = stateDict[key]?.shape, actual != shape else { return nil }
            return "\(key): checkpoint \(actual), model \(shape)"
        }
        guard missing.isEmpty, unexpected.isEmpty, mismatched.isEmpty else {
            throw NNError.stateDictMismatch(architecture: name, missing: missing, unexpected: unexpected, mismatched: mismatched)
        }
        return Model(architecture: name, graph: graph(), stateDict: stateDict)
    }

    /// The model with every expected tensor filled with zeros (`num_batches_tracked` as int64).
    func zeroModel() -> Model {
        var dict = StateDict()
        for (key, shape) in expectedShapes() {
            if key.hasSuffix("num_batches_tracked") {
                dict[key] = .integer(IntTensor(shape: shape, scalars: [0]), .int64)
            } else {
                dict.setTensor(key, Tensor(shape: shape))
            }
        }
        return Model(architecture: name, graph: graph(), stateDict: dict)
    }
}

/// Keys of a `nn.BatchNorm2d` of `channels` under `prefix`.
package func batchNormShapes(_ prefix: String, _ channels: Int) -> [(key: String, shape: [Int])] {
    [("\(prefix).weight", [channels]), ("\(prefix).bias", [channels]), ("\(prefix).running_mean", [channels]),
     ("\(prefix).running_var", [channels]), ("\(prefix).num_batches_tracked", [])]
}

/// The float tensor at `key`, or an error naming the key the architecture needs.
func requiredShape(_ stateDict: StateDict, _ key: String, rank: Int, architecture: String) throws -> [Int] {
    guard let shape = stateDict[key]?.shape, shape.count == rank else {
        throw NNError.stateDictMismatch(architecture: architecture, missing: stateDict[key] == nil ? [key] : [],
                                        unexpected: [], mismatched: stateDict[key].map { ["\(key): checkpoint \($0.shape), model rank \(rank)"] } ?? [])
    }
    return shape
}
