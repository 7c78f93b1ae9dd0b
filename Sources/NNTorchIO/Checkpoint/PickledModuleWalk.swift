// PickledModuleWalk: the walk over a whole-module pickle's nn.Modules that the state-dict
// normalizer and the module-tree reader both make, bounded for untrusted files. Children are
// visited in `_modules` order under their dotted paths, as `Module.state_dict()` visits them,
// so a module shared by several parents is visited at each place (torch saves its tensors
// under every name). Each visit costs one node plus the entries of the module's `__dict__`,
// `_parameters`, `_buffers`, `_modules` and non-persistent buffer set, all charged against
// `ModuleTree.maximumNodes` before anything is done with them: a 1 KB pickle whose modules
// share children 40 levels deep would otherwise be visited 2^40 times. A module inside itself
// and nesting deeper than `ModuleTree.maximumDepth` are refused; every error names the file
// and the module's path.

import NNCore

struct PickledModuleWalk {
    /// A module as a visit sees it: where it is, its class, and its `__dict__`.
    struct Module {
        /// Dotted path from the root ("" at the root, "layer1.0.conv1").
        let path: String
        let instance: OpaqueInstance
        let state: PickleDictionary
    }

    let checkpoint: UnpickledCheckpoint
    /// Nodes charged so far.
    private var nodes = 0
    /// The modules on the path being visited, to refuse cycles.
    private var ancestors: Set<ObjectID> = []

    init(_ checkpoint: UnpickledCheckpoint) { self.checkpoint = checkpoint }

    /// Folds the hierarchy under the module `id` at `path`: `visit(module, children)` with
    /// each child's result, by name, in `_modules` order (None children skipped).
    mutating func fold<T>(_ id: ObjectID, path: String = "", _ visit: (Module, [(name: String, result: T)]) throws -> T) throws -> T {
        let graph = checkpoint.graph
        let named = path.isEmpty ? "the root module" : "module '\(path)'"
        guard ancestors.count < ModuleTree.maximumDepth else { throw unsupported("\(named) is nested more than \(ModuleTree.maximumDepth) deep") }
        guard !ancestors.contains(id) else { throw unsupported("\(named) contains itself") }
        guard case .instance(let instance) = graph[id], let state = StateDictNormalizer.moduleState(id, in: graph) else {
            throw unsupported("\(path.isEmpty ? "the root" : "submodule '\(path)'") is a \(graph[id].kindName), not an nn.Module")
        }
        let dicts = ["_parameters", "_buffers", "_modules", "_non_persistent_buffers_set"].map { size(state.value(forString: $0)) }
        nodes += 1 + state.entries.count + dicts.reduce(0, +)
        guard nodes <= ModuleTree.maximumNodes else {
            throw unsupported("the modules hold more than \(ModuleTree.maximumNodes) modules and tensors once shared submodules are counted at each place they appear (at \(named))")
        }
        ancestors.insert(id)
        defer { ancestors.remove(id) }
        var children: [(name: String, result: T)] = []
        for (key, child) in Self.dict("_modules", of: state, graph) {
            guard let name = graph.string(key), !StateDictNormalizer.isNone(child, in: graph) else { continue }
            children.append((name, try fold(child, path: path.isEmpty ? name : "\(path).\(name)", visit)))
        }
        return try visit(Module(path: path, instance: instance, state: state), children)
    }

    /// The entries of the dict `state[name]` (`_parameters`, `_buffers`, `_modules`), or none.
    static func dict(_ name: String, of state: PickleDictionary, _ graph: PickleGraph) -> [(key: ObjectID, value: ObjectID)] {
        guard let id = state.value(forString: name), case .dict(let dict) = graph[id] else { return [] }
        return dict.entries
    }

    /// Entries of the dict or set at `id`; 0 for anything else.
    private func size(_ id: ObjectID?) -> Int {
        switch id.map({ checkpoint.graph[$0] }) {
        case .dict(let dict)?: return dict.entries.count
        case .set(let items)?: return items.count
        default: return 0
        }
    }

    private func unsupported(_ reason: String) -> NNError { .unsupported(path: checkpoint.path, reason: reason) }
}
