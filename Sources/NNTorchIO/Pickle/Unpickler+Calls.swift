// Unpickler+Calls: what REDUCE, NEWOBJ, BUILD and BINPERSID mean here. Nothing is called:
// each known global (GlobalAllowlist) is interpreted by Swift code that builds data, the
// torch rebuild functions go to TensorRebuilder, and unknown classes only ever become
// `OpaqueInstance`s through NEWOBJ + BUILD. A REDUCE of anything not known is refused.

import NNCore

extension Unpickler {
    /// REDUCE: `callable(*arguments)` for a known callable.
    mutating func reduce(_ callable: ObjectID, _ arguments: ObjectID) throws -> ObjectID {
        guard case .global(let global) = graph[callable] else {
            throw PickleFailure(.malformed, "REDUCE needs a global to call, got a \(graph[callable].kindName)")
        }
        guard let known = global.known else {
            throw PickleFailure(.refused, "refusing to call global '\(global.qualifiedName)' (only tensor rebuild functions, containers and plain value types may be called)")
        }
        guard case .tuple(let args) = graph[arguments] else {
            throw PickleFailure(.malformed, "arguments to '\(global.qualifiedName)' are a \(graph[arguments].kindName), not a tuple")
        }
        switch known {
        case .orderedDict, .counter:
            return graph.add(.dict(try dictionary(from: args.first, for: global)))
        case .defaultDict: // defaultdict(factory[, mapping]): the factory is never called
            return graph.add(.dict(try dictionary(from: args.count > 1 ? args[1] : nil, for: global)))
        case .set, .frozenset:
            guard let source = args.first else { return graph.add(.set([])) }
            switch graph[source] {
            case .tuple(let items), .list(let items), .set(let items): return graph.add(.set(items))
            case let other: throw PickleFailure(.malformed, "cannot make a set from a \(other.kindName)")
            }
        case .bytearray:
            guard let source = args.first else { return graph.add(.bytes([])) }
            if case .bytes = graph[source] { return source }
            return graph.add(.bytes(try encode(args, for: global)))
        case .codecsEncode:
            return graph.add(.bytes(try encode(args, for: global)))
        case .rebuildTensor, .rebuildTensorV2, .rebuildTensorV3:
            return graph.add(.tensor(try TensorRebuilder.tensor(known, arguments: args, in: graph)))
        case .rebuildParameter, .rebuildParameterWithState:
            guard args.count >= 3, case .tensor = graph[args[0]] else {
                throw PickleFailure(.malformed, "'\(global.qualifiedName)' needs a tensor and requires_grad")
            }
            return args[0]
        case .rebuildFromTypeV2: // (func, new_type, args, state): the tensor is func(*args)
            guard args.count == 4 else { throw PickleFailure(.malformed, "'\(global.qualifiedName)' takes 4 arguments, got \(args.count)") }
            if case .global(let inner) = graph[args[0]], inner.known == .rebuildFromTypeV2 {
                throw PickleFailure(.malformed, "'\(global.qualifiedName)' nested in itself")
            }
            return try reduce(args[0], args[2])
        case .torchSize:
            guard args.count == 1, let items = graph.sequence(args[0]) else {
                throw PickleFailure(.malformed, "'torch.Size' needs one tuple of sizes")
            }
            return graph.add(.tuple(items))
        case .inert:
            return graph.add(.instance(OpaqueInstance(type: global, arguments: arguments, state: nil)))
        case .storageType, .dtype:
            throw PickleFailure(.refused, "refusing to call global '\(global.qualifiedName)'")
        }
    }

    /// NEWOBJ / NEWOBJ_EX: `cls.__new__(cls, *arguments)`: an empty container or an inert instance.
    mutating func newObject(_ type: ObjectID, _ arguments: ObjectID) throws -> ObjectID {
        guard case .global(let global) = graph[type] else {
            throw PickleFailure(.malformed, "NEWOBJ needs a class, got a \(graph[type].kindName)")
        }
        switch global.known {
        case .orderedDict, .counter, .defaultDict: return graph.add(.dict(PickleDictionary()))
        case .set, .frozenset: return graph.add(.set([]))
        case .bytearray: return graph.add(.bytes([]))
        case nil, .inert: return graph.add(.instance(OpaqueInstance(type: global, arguments: arguments, state: nil)))
        default: throw PickleFailure(.refused, "refusing to instantiate global '\(global.qualifiedName)'")
        }
    }

    /// BUILD: an instance keeps its state; a dict's or tensor's attributes are dropped
    /// (the `_metadata` of a state_dict, attributes of a tensor subclass).
    mutating func build(_ target: ObjectID, state: ObjectID) throws {
        switch graph[target] {
        case .instance(var instance):
            instance.state = state
            graph[target] = .instance(instance)
        case .dict, .tensor:
            break
        case let other:
            throw PickleFailure(.malformed, "BUILD on a \(other.kindName)")
        }
    }

    /// BINPERSID / PERSID: hands the id to the loader the checkpoint reader installed.
    mutating func persistent(_ id: ObjectID) throws -> ObjectID {
        guard let persistentLoad else {
            throw PickleFailure(.unsupported, "persistent id in a pickle that should hold plain data")
        }
        return try persistentLoad(&graph, id)
    }

    // MARK: Helpers

    /// `OrderedDict(source)` / `Counter(source)`: source is absent, a dict, or a sequence of pairs.
    private func dictionary(from source: ObjectID?, for global: PickleGlobal) throws -> PickleDictionary {
        var result = PickleDictionary()
        guard let source else { return result }
        switch graph[source] {
        case .dict(let other):
            for (key, value) in other.entries { result.set(value, for: key, hashKey: graph.hashKey(key)) }
        case .tuple(let pairs), .list(let pairs):
            for pair in pairs {
                guard let kv = graph.sequence(pair), kv.count == 2 else {
                    throw PickleFailure(.malformed, "'\(global.qualifiedName)' items must be (key, value) pairs")
                }
                result.set(kv[1], for: kv[0], hashKey: graph.hashKey(kv[0]))
            }
        case let other:
            throw PickleFailure(.malformed, "cannot make '\(global.qualifiedName)' from a \(other.kindName)")
        }
        return result
    }

    /// `_codecs.encode(text, encoding)` and `bytearray(text, encoding)` for latin-1 and UTF-8.
    private func encode(_ args: [ObjectID], for global: PickleGlobal) throws -> [UInt8] {
        guard args.count == 2, let text = graph.string(args[0]), let encoding = graph.string(args[1]) else {
            throw PickleFailure(.malformed, "'\(global.qualifiedName)' needs a string and an encoding")
        }
        switch encoding.lowercased() {
        case "latin1", "latin-1", "iso-8859-1":
            return try text.unicodeScalars.map { scalar in
                guard scalar.value <= 0xFF else { throw PickleFailure(.malformed, "'\(global.qualifiedName)': U+\(String(scalar.value, radix: 16)) is not latin-1") }
                return UInt8(scalar.value)
            }
        case "utf-8", "utf8":
            return Array(text.utf8)
        default:
            throw PickleFailure(.unsupported, "'\(global.qualifiedName)' with encoding '\(encoding)'")
        }
    }
}
