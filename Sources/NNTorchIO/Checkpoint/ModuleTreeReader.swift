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
        // Modules come parent first: `open` holds the path to the latest, each with its children so far.
        var open: [(name: String, tree: ModuleTree)] = []
        /// Moves the open modules deeper than `depth` into their parents; the root stays open.
        func close(to depth: Int) {
            while open.count > max(depth, 1), let (name, child) = open.popLast() {
                open[open.count - 1].tree.children.append(.init(name: name, module: child))
            }
        }
        for module in try PickledModuleWalk.modules(under: root, in: checkpoint) {
            close(to: module.depth)
            var tree = ModuleTree(className: module.instance.type.name)
            for (key, value) in module.state.entries {
                guard let name = graph.string(key), !name.hasPrefix("_"), name != "training", let attribute = attribute(value, graph, depth: 0) else { continue }
                tree.attributes[name] = attribute
            }
            open.append((module.name, tree))
        }
        close(to: 1)
        return open.first?.tree
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
