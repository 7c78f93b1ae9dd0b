// Unpickler+PlainValue: reading a plain-data pickle (dicts with string keys, lists, tuples,
// numbers, strings, bytes, None; protocol 2 or 4, as PickleWriter writes them) back into a
// `PickleValue`. Anything else (tensors, sets, class instances, persistent ids) is an error.
// The memo lets a pickle share one container among several parents, so a few hundred bytes
// can describe a value of 2^40 parts: each object is converted once (a shared container's
// value is shared, not copied), and the size it expands to is counted and bounded.

import NNCore

extension Unpickler {
    /// Deepest container nesting `plainValue` follows.
    static let maximumPlainDepth = 200
    /// Most values a plain pickle may expand to, a shared container counted at each place it
    /// appears: 16 million, far above a blob's (a few per tensor, two floats per channel).
    static let maximumPlainValues = 1 << 24

    /// The plain value pickled in `bytes` (the whole array); `path` names the file in errors.
    public static func plainValue(_ bytes: [UInt8], path: String) throws -> PickleValue {
        var unpickler = Unpickler(bytes, path: path, context: "pickle")
        let root = try unpickler.load()
        var conversion = PlainConversion(graph: unpickler.graph)
        do {
            return try conversion.convert(root, depth: 0).value
        } catch let failure as PickleFailure {
            throw failure.error(path: path, location: "pickle")
        }
    }
}

/// Objects of a graph as plain values, each converted once, with the number of values each
/// expands to.
private struct PlainConversion {
    let graph: PickleGraph
    private var converted: [ObjectID: (value: PickleValue, size: Int)] = [:]

    init(graph: PickleGraph) { self.graph = graph }

    mutating func convert(_ id: ObjectID, depth: Int) throws -> (value: PickleValue, size: Int) {
        if let done = converted[id] { return done }
        guard depth < Unpickler.maximumPlainDepth else {
            throw PickleFailure(.unsupported, "containers nested more than \(Unpickler.maximumPlainDepth) deep")
        }
        var size = 1
        func items(_ ids: [ObjectID]) throws -> [PickleValue] {
            var values: [PickleValue] = []
            values.reserveCapacity(ids.count)
            for item in ids { values.append(try add(convert(item, depth: depth + 1))) }
            return values
        }
        func add(_ part: (value: PickleValue, size: Int)) throws -> PickleValue {
            size += part.size
            guard size <= Unpickler.maximumPlainValues else {
                throw PickleFailure(.unsupported, "shared containers expand to more than \(Unpickler.maximumPlainValues) values")
            }
            return part.value
        }
        let value: PickleValue
        switch graph[id] {
        case .none: value = .none
        case .bool(let v): value = .bool(v)
        case .int(let v): value = .int(v)
        case .float(let v): value = .float(v)
        case .string(let v): value = .string(v)
        case .bytes(let v): value = .bytes(v)
        case .tuple(let ids): value = .tuple(try items(ids))
        case .list(let ids): value = .list(try items(ids))
        case .dict(let dict):
            var entries: [(String, PickleValue)] = []
            entries.reserveCapacity(dict.entries.count)
            for entry in dict.entries {
                guard let key = graph.string(entry.key) else {
                    throw PickleFailure(.unsupported, "dict key is a \(graph[entry.key].kindName), not a string")
                }
                entries.append((key, try add(convert(entry.value, depth: depth + 1))))
            }
            value = .dict(entries)
        case let other:
            throw PickleFailure(.unsupported, "a \(other.kindName) is not plain data")
        }
        converted[id] = (value, size)
        return (value, size)
    }
}
