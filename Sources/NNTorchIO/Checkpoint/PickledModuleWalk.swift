// PickledModuleWalk: the walk over a whole-module pickle's nn.Modules that the state-dict
// normalizer and the module-tree reader both make, bounded for untrusted files. Modules come
// in `Module.state_dict()` order (a module, then its `_modules` children in order, each under
// its dotted path), so a module shared by several parents is visited at each place (torch
// saves its tensors under every name). Each visit costs one node plus the entries of the
// module's `__dict__`, `_parameters`, `_buffers`, `_modules` and non-persistent buffer set,
// charged against `ModuleTree.maximumNodes` before anything is done with them (a 1 KB pickle
// whose modules share children 40 levels deep would otherwise be visited 2^40 times), and the
// bytes of the paths built against the `MemoryBudget` (one memoized long name can appear in
// every path). A module inside itself and nesting deeper than `ModuleTree.maximumDepth` are
// refused; every error names the file and the module's path. The walk is a loop, not recursion.

import NNCore

enum PickledModuleWalk {
    /// A module as the walk meets it: where it is, its class, and its `__dict__`.
    struct Module {
        /// Dotted path from the root ("" at the root, "layer1.0.conv1").
        let path: String
        /// Its name in its parent's `_modules` ("" at the root).
        let name: String
        /// 0 at the root.
        let depth: Int
        let instance: OpaqueInstance
        let state: PickleDictionary
    }

    /// Every module under `root` (the root first), in `state_dict()` order.
    static func modules(under root: ObjectID, in checkpoint: UnpickledCheckpoint) throws -> [Module] {
        let graph = checkpoint.graph
        func unsupported(_ reason: String) -> NNError { .unsupported(path: checkpoint.path, reason: reason) }
        var modules: [Module] = []
        var pending: [(id: ObjectID, name: String, parent: String, depth: Int)] = [(root, "", "", 0)]
        var ancestors: [ObjectID] = []
        var nodes = 0, pathBytes = 0
        while let next = pending.popLast() {
            ancestors.removeSubrange(next.depth...)
            pathBytes += next.parent.utf8.count + 1 + next.name.utf8.count
            try MemoryBudget.check(pathBytes, for: "the paths of its modules (up to a child '\(next.name.prefix(100))' of '\(next.parent.prefix(100))')", path: checkpoint.path)
            let path = next.parent.isEmpty ? next.name : "\(next.parent).\(next.name)"
            let named = path.isEmpty ? "the root module" : "module '\(path)'"
            guard next.depth < ModuleTree.maximumDepth else { throw unsupported("\(named) is nested more than \(ModuleTree.maximumDepth) deep") }
            guard !ancestors.contains(next.id) else { throw unsupported("\(named) contains itself") }
            guard case .instance(let instance) = graph[next.id], let state = StateDictNormalizer.moduleState(next.id, in: graph) else {
                throw unsupported("\(path.isEmpty ? "the root" : "submodule '\(path)'") is a \(graph[next.id].kindName), not an nn.Module")
            }
            let dicts = ["_parameters", "_buffers", "_modules", "_non_persistent_buffers_set"].map { size(state.value(forString: $0), graph) }
            nodes += 1 + state.entries.count + dicts.reduce(0, +)
            guard nodes <= ModuleTree.maximumNodes else {
                throw unsupported("the modules hold more than \(ModuleTree.maximumNodes) modules and tensors once shared submodules are counted at each place they appear (at \(named))")
            }
            ancestors.append(next.id)
            modules.append(Module(path: path, name: next.name, depth: next.depth, instance: instance, state: state))
            for (key, child) in dict("_modules", of: state, graph).reversed() {
                guard let name = graph.string(key), !StateDictNormalizer.isNone(child, in: graph) else { continue }
                pending.append((child, name, path, next.depth + 1))
            }
        }
        return modules
    }

    /// The entries of the dict `state[name]` (`_parameters`, `_buffers`, `_modules`), or none.
    static func dict(_ name: String, of state: PickleDictionary, _ graph: PickleGraph) -> [(key: ObjectID, value: ObjectID)] {
        guard let id = state.value(forString: name), case .dict(let dict) = graph[id] else { return [] }
        return dict.entries
    }

    /// Entries of the dict or set at `id`; 0 for anything else.
    private static func size(_ id: ObjectID?, _ graph: PickleGraph) -> Int {
        switch id.map({ graph[$0] }) {
        case .dict(let dict)?: return dict.entries.count
        case .set(let items)?: return items.count
        default: return 0
        }
    }
}
