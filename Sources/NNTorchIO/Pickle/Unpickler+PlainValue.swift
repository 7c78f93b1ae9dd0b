// Unpickler+PlainValue: reading a plain-data pickle (dicts with string keys, lists, tuples,
// numbers, strings, bytes, None; protocol 2 or 4, as PickleWriter writes them) back into a
// `PickleValue`. Anything else (tensors, sets, class instances, persistent ids) is an error.

import NNCore

extension Unpickler {
    /// Deepest container nesting `plainValue` follows.
    static let maximumPlainDepth = 200

    /// The plain value pickled in `bytes` (the whole array); `path` names the file in errors.
    public static func plainValue(_ bytes: [UInt8], path: String) throws -> PickleValue {
        var unpickler = Unpickler(bytes, path: path, context: "pickle")
        let root = try unpickler.load()
        do {
            return try plain(root, in: unpickler.graph, depth: 0)
        } catch let failure as PickleFailure {
            throw failure.error(path: path, location: "pickle")
        }
    }

    private static func plain(_ id: ObjectID, in graph: PickleGraph, depth: Int) throws -> PickleValue {
        guard depth < maximumPlainDepth else {
            throw PickleFailure(.unsupported, "containers nested more than \(maximumPlainDepth) deep")
        }
        switch graph[id] {
        case .none: return .none
        case .bool(let v): return .bool(v)
        case .int(let v): return .int(v)
        case .float(let v): return .float(v)
        case .string(let v): return .string(v)
        case .bytes(let v): return .bytes(v)
        case .tuple(let items): return .tuple(try items.map { try plain($0, in: graph, depth: depth + 1) })
        case .list(let items): return .list(try items.map { try plain($0, in: graph, depth: depth + 1) })
        case .dict(let dict):
            return .dict(try dict.entries.map { entry in
                guard let key = graph.string(entry.key) else {
                    throw PickleFailure(.unsupported, "dict key is a \(graph[entry.key].kindName), not a string")
                }
                return (key, try plain(entry.value, in: graph, depth: depth + 1))
            })
        case let other:
            throw PickleFailure(.unsupported, "a \(other.kindName) is not plain data")
        }
    }
}
