// ModuleTreeReader: the ModuleTree of a whole-module pickle (`torch.save(model)`). Each
// module's class is the GLOBAL its instance was built from; its attributes are the plain
// entries of its `__dict__` (names not starting with `_`: in_channels, kernel_size,
// stride, eps, negative_slope, ceil_mode, output_size, use_res_connect, …); its children
// are `_modules` in order. Nothing is called: the instances stay data.

/// Module trees from unpickled checkpoints.
import NNCore

enum ModuleTreeReader {
    /// The tree of the module in `checkpoint`, or nil when it holds no whole module.
    static func tree(of checkpoint: UnpickledCheckpoint) throws -> ModuleTree? {
        guard let root = StateDictNormalizer.moduleRoot(of: checkpoint) else { return nil }
        return try module(root, path: "", depth: 0, in: checkpoint)
    }

    private static func module(_ id: ObjectID, path: String, depth: Int, in checkpoint: UnpickledCheckpoint) throws -> ModuleTree {
        let graph = checkpoint.graph
        guard depth < StateDictNormalizer.maximumDepth else {
            throw NNError.unsupported(path: checkpoint.path, reason: "module '\(path)' is nested more than \(StateDictNormalizer.maximumDepth) deep")
        }
        guard case .instance(let instance) = graph[id], let state = StateDictNormalizer.moduleState(id, in: graph) else {
            throw NNError.unsupported(path: checkpoint.path, reason: "submodule '\(path)' is a \(graph[id].kindName), not an nn.Module")
        }
        var tree = ModuleTree(className: instance.type.name)
        for (key, value) in state.entries {
            guard let name = graph.string(key), !name.hasPrefix("_"), name != "training", let attribute = attribute(value, graph, depth: 0) else { continue }
            tree.attributes[name] = attribute
        }
        if let modulesID = state.value(forString: "_modules"), case .dict(let modules) = graph[modulesID] {
            for (key, child) in modules.entries {
                guard let name = graph.string(key), !StateDictNormalizer.isNone(child, in: graph) else { continue }
                let childPath = path.isEmpty ? name : "\(path).\(name)"
                tree.children.append(.init(name: name, module: try module(child, path: childPath, depth: depth + 1, in: checkpoint)))
            }
        }
        return tree
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
