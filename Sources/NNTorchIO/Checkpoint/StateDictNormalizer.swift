// StateDictNormalizer: finds the name → tensor map in what people actually torch.save
// (docs/FORMATS.md §1.5): a bare state_dict; a training dict holding it under `state_dict`,
// `model`, `model_state_dict`, `net`, `ema` or `state_dict_ema` beside optimizer state, args
// and counters; or a whole nn.Module (`torch.save(model)`), walked through `_parameters`,
// `_buffers` (persistent ones) and `_modules`. A `module.` prefix that every key carries
// (DataParallel) is removed. Only the chosen tensors are gathered, once their decoded sizes,
// each and summed over the checkpoint, fit the `MemoryBudget` (DecodedTensorBudget).

import NNCore

enum StateDictNormalizer {
    /// Training-dict keys that may hold the model's state dict, in order of preference.
    static let wrapperKeys = ["state_dict", "model", "model_state_dict", "net", "ema", "state_dict_ema"]

    /// The state dict inside `checkpoint`.
    static func stateDict(from checkpoint: UnpickledCheckpoint) throws -> StateDict {
        let graph = checkpoint.graph
        var found: [(key: String, tensor: TensorReference)] = []
        if let module = moduleRoot(of: checkpoint) {
            found = try moduleTensors(module, in: checkpoint)
        } else if case .dict(let top) = graph[checkpoint.root] {
            if let wrapped = wrapped(in: top, graph) {
                found = tensorEntries(wrapped, in: graph)
            } else if isTensorMap(checkpoint.root, in: graph) {
                found = tensorEntries(checkpoint.root, in: graph)
            } else {
                let keys = top.entries.prefix(12).map { graph.string($0.key).map { "'\($0)'" } ?? graph[$0.key].kindName }
                throw NNError.unsupported(path: checkpoint.path, reason: "no state dict found: the top-level dict has keys \(keys.joined(separator: ", ")) and no name-to-tensor dict under \(wrapperKeys.joined(separator: ", "))")
            }
        } else {
            throw NNError.unsupported(path: checkpoint.path, reason: "the checkpoint holds a \(graph[checkpoint.root].kindName), not a state dict or an nn.Module")
        }
        let strip = !found.isEmpty && found.allSatisfy { $0.key.hasPrefix("module.") }
        let named = found.map { (key: strip ? String($0.key.dropFirst("module.".count)) : $0.key, tensor: $0.tensor) }
        try DecodedTensorBudget.check(named.map { ($0.key, $0.tensor.shape, $0.tensor.element.dtype) }, path: checkpoint.path)
        var result = StateDict()
        for (key, tensor) in named { result[key] = try checkpoint.tensor(tensor, key: key) }
        return result
    }

    /// The whole nn.Module the checkpoint holds (at the top or under a wrapper key), if any.
    static func moduleRoot(of checkpoint: UnpickledCheckpoint) -> ObjectID? {
        let graph = checkpoint.graph
        if isModule(checkpoint.root, in: graph) { return checkpoint.root }
        guard case .dict(let top) = graph[checkpoint.root], let inner = wrapped(in: top, graph), isModule(inner, in: graph) else { return nil }
        return inner
    }

    /// The first wrapper-key value that is a module or a tensor map.
    private static func wrapped(in top: PickleDictionary, _ graph: PickleGraph) -> ObjectID? {
        wrapperKeys.lazy.compactMap { top.value(forString: $0) }.first { isModule($0, in: graph) || isTensorMap($0, in: graph) }
    }

    /// A dict whose keys are strings and whose values are mostly (at least half) tensors.
    private static func isTensorMap(_ id: ObjectID, in graph: PickleGraph) -> Bool {
        guard case .dict(let dict) = graph[id], !dict.entries.isEmpty,
              dict.entries.allSatisfy({ graph.string($0.key) != nil }) else { return false }
        let tensors = dict.entries.filter { if case .tensor = graph[$0.value] { return true } else { return false } }.count
        return tensors > 0 && 2 * tensors >= dict.entries.count
    }

    /// The string-keyed tensors of a dict, in order (other values, like `_extra_state`, are skipped).
    private static func tensorEntries(_ id: ObjectID, in graph: PickleGraph) -> [(key: String, tensor: TensorReference)] {
        guard case .dict(let dict) = graph[id] else { return [] }
        return dict.entries.compactMap { entry in
            guard let key = graph.string(entry.key), case .tensor(let tensor) = graph[entry.value] else { return nil }
            return (key, tensor)
        }
    }

    // MARK: Whole modules

    /// An instance whose BUILD state has nn.Module's `_parameters` or `_modules`.
    private static func isModule(_ id: ObjectID, in graph: PickleGraph) -> Bool {
        guard let state = moduleState(id, in: graph) else { return false }
        return state.value(forString: "_parameters") != nil || state.value(forString: "_modules") != nil
    }

    /// The `__dict__` of an instance: its BUILD state, or the first half of a `(dict, slots)` state.
    static func moduleState(_ id: ObjectID, in graph: PickleGraph) -> PickleDictionary? {
        guard case .instance(let instance) = graph[id], var state = instance.state else { return nil }
        if let parts = graph.sequence(state), parts.count == 2 { state = parts[0] }
        guard case .dict(let dict) = graph[state] else { return nil }
        return dict
    }

    /// `Module.state_dict()`: parameters, then persistent buffers, then each child's under its
    /// name; the keys' bytes are checked against the budget as they are made.
    private static func moduleTensors(_ root: ObjectID, in checkpoint: UnpickledCheckpoint) throws -> [(key: String, tensor: TensorReference)] {
        let graph = checkpoint.graph
        var found: [(key: String, tensor: TensorReference)] = []
        var keyBytes = 0
        for module in try PickledModuleWalk.modules(under: root, in: checkpoint) {
            var nonPersistent: Set<String> = []
            if let setID = module.state.value(forString: "_non_persistent_buffers_set"), case .set(let names) = graph[setID] {
                nonPersistent = Set(names.compactMap { graph.string($0) })
            }
            let prefix = module.path.isEmpty ? "" : module.path + "."
            for (key, value) in PickledModuleWalk.dict("_parameters", of: module.state, graph) + PickledModuleWalk.dict("_buffers", of: module.state, graph) {
                guard let name = graph.string(key), !nonPersistent.contains(name), case .tensor(let tensor) = graph[value] else { continue }
                keyBytes += prefix.utf8.count + name.utf8.count
                try MemoryBudget.check(keyBytes, for: "its state-dict keys (up to '\(prefix.prefix(100))\(name.prefix(100))')", path: checkpoint.path)
                found.append((prefix + name, tensor))
            }
        }
        return found
    }

    static func isNone(_ id: ObjectID, in graph: PickleGraph) -> Bool {
        if case .none = graph[id] { return true }
        return false
    }
}
