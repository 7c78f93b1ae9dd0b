// ModuleTreeReader: the ModuleTree of a whole-module pickle (`torch.save(model)`). Each
// module's class is the GLOBAL its instance was built from; its attributes are the plain
// entries of its `__dict__` (names not starting with `_`: in_channels, kernel_size,
// stride, eps, negative_slope, ceil_mode, output_size, use_res_connect, …); its children
// are `_modules` in order, walked by `PickledModuleWalk` (bounded depth and size, cycles
// refused). Nothing is called: the instances stay data.

/// Module trees from unpickled checkpoints.
import NNCore

enum ModuleTreeReader {
    /// The tree of the module in `checkpoint`, or nil when it holds no whole module.
    static func tree(of checkpoint: UnpickledCheckpoint) throws -> ModuleTree? {
        guard let root = StateDictNormalizer.moduleRoot(of: checkpoint) else { return nil }
        let graph = checkpoint.graph
        var walk = PickledModuleWalk(checkpoint)
        return try walk.fold(root) { module, children in
            var tree = ModuleTree(className: module.instance.type.name, children: children.map { .init(name: $0.name, module: $0.result) })
            for (key, value) in module.state.entries {
                guard let name = graph.string(key), !name.hasPrefix("_"), name != "training", let attribute = attribute(value, graph, depth: 0) else { continue }
                tree.attributes[name] = attribute
            }
            return tree
        }
    }

    /// A plain value (None, bool, int, float, str, or a short tuple/list of them); nil otherwise.
    private static func attribute(_ id: ObjectID, _ graph: PickleGraph, depth: Int) -> ModuleAttribute? {
        switch graph[id] {
        case .none: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .float(let f): return .float(f)
        case .string(let s): return .string(s)
        case .tuple(let items), .list(let items):
            guard depth < 2, items.count <= 8 else { return nil }
            let values = items.compactMap { attribute($0, graph, depth: depth + 1) }
            return values.count == items.count ? .tuple(values) : nil
        default: return nil
        }
    }
}
