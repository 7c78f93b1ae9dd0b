// PickleObject: the values an unpickled object graph holds. The graph is an arena: every
// object lives in `PickleGraph.objects` and containers refer to their items by index, so
// the memo can share and mutate objects (APPEND to a memoized list) as Python does, cycles
// cost nothing, and freeing a deeply nested graph never recurses. Nothing here can run code:
// a global is a name, an instance is its class name plus the data it was given.

/// Index of an object in a `PickleGraph`.
import NNCore

typealias ObjectID = Int

/// One unpickled value.
enum PickleObject {
    case none
    case bool(Bool)
    case int(Int)
    /// An int outside Int64, as minimal two's-complement little-endian bytes.
    case bigInt([UInt8])
    case float(Double)
    case string(String)
    /// `bytes` or `bytearray`.
    case bytes([UInt8])
    case tuple([ObjectID])
    case list([ObjectID])
    /// `dict`, `collections.OrderedDict`, `Counter` or `defaultdict`.
    case dict(PickleDictionary)
    /// `set` or `frozenset`, in insertion order.
    case set([ObjectID])
    /// A class or function named by GLOBAL; never called, only recognised (`GlobalAllowlist`).
    case global(PickleGlobal)
    /// An object of a tolerated class, holding what NEWOBJ/REDUCE and BUILD gave it.
    case instance(OpaqueInstance)
    /// A torch storage named by a persistent id.
    case storage(StorageReference)
    /// A tensor: a strided view of a storage, gathered when the state dict is built.
    case tensor(TensorReference)

    /// Python-ish name of the kind, for messages.
    var kindName: String {
        switch self {
        case .none: return "None"
        case .bool: return "bool"
        case .int, .bigInt: return "int"
        case .float: return "float"
        case .string: return "str"
        case .bytes: return "bytes"
        case .tuple: return "tuple"
        case .list: return "list"
        case .dict: return "dict"
        case .set: return "set"
        case .global(let g): return "global '\(g.qualifiedName)'"
        case .instance(let i): return "'\(i.type.qualifiedName)' object"
        case .storage: return "storage"
        case .tensor: return "tensor"
        }
    }
}

/// A `module.name` reference resolved against the allowlist.
struct PickleGlobal: Equatable {
    let module: String
    let name: String
    /// What Shears knows about it; `nil` for a tolerated class that may only appear as data.
    let known: KnownGlobal?

    var qualifiedName: String { "\(module).\(name)" }
}

/// An object of a class Shears does not model (argparse.Namespace, a user's nn.Module,
/// numpy scalars): the class name, constructor arguments and BUILD state, kept as data.
struct OpaqueInstance {
    let type: PickleGlobal
    let arguments: ObjectID?
    var state: ObjectID?
}

/// A dict in insertion order; keys that are str/int/bool replace on reassignment, as in Python.
struct PickleDictionary {
    private(set) var entries: [(key: ObjectID, value: ObjectID)] = []
    private var index: [Key: Int] = [:]

    /// The hashable part of a key, when the key is a str or an int (bool counts as int).
    enum Key: Hashable {
        case string(String)
        case int(Int)
    }

    mutating func set(_ value: ObjectID, for key: ObjectID, hashKey: Key?) {
        if let hashKey, let position = index[hashKey] {
            entries[position].value = value
        } else {
            if let hashKey { index[hashKey] = entries.count }
            entries.append((key, value))
        }
    }

    /// The value under a string key.
    func value(forString key: String) -> ObjectID? {
        index[.string(key)].map { entries[$0].value }
    }
}

/// A storage from a persistent id: `byteCount` bytes at `byteOffset` in the record `key`.
struct StorageReference {
    /// The record key (`data/<key>` in a zip, the root key in a legacy file).
    let key: String
    /// The element type the storage was saved with (`torch.FloatStorage` → float32).
    let element: ElementType
    /// Offset of this storage's first byte in the record (non-zero only for legacy views).
    let byteOffset: Int
    let byteCount: Int
}

/// A tensor as `_rebuild_tensor_v2/_v3` describes it; element indices are in `element` units.
struct TensorReference {
    let storage: StorageReference
    let element: ElementType
    /// Offset of the first element, in elements.
    let offset: Int
    let shape: [Int]
    let strides: [Int]
    /// torch's lazy negation bit (`_rebuild_tensor_v2` metadata `{'neg': True}`): the stored values are negated on load.
    var negated = false
}

/// A torch element type by name, with its size; `dtype` is nil for types Shears cannot decode.
struct ElementType: Equatable {
    /// The torch name (`float32`, `uint16`, `complex64`, ...).
    let name: String
    let byteCount: Int
    let dtype: DType?
}

/// Arena of unpickled objects.
struct PickleGraph {
    private(set) var objects: [PickleObject] = []
    /// About the bytes the objects take (`cost`): what the unpickler checks against the
    /// `MemoryBudget`, since opcodes that copy (`OrderedDict(d)`, `_codecs.encode(s)`) or
    /// nest memoized objects can make a small file ask for much more than its size.
    private(set) var byteCount = 0

    /// Stores `object` and returns its index.
    mutating func add(_ object: PickleObject) -> ObjectID {
        byteCount += Self.cost(object)
        objects.append(object)
        return objects.count - 1
    }

    subscript(id: ObjectID) -> PickleObject {
        get { objects[id] }
        set {
            byteCount += Self.cost(newValue) - Self.cost(objects[id])
            objects[id] = newValue
        }
    }

    /// Moves the object at `id` out (leaving None) so its payload can grow without a copy;
    /// put it back with the subscript.
    mutating func take(_ id: ObjectID) -> PickleObject {
        defer { self[id] = .none }
        return objects[id]
    }

    /// Bytes `object` takes: its slot, plus 8 per reference it holds (64 per dict entry,
    /// with its hash index) and the bytes of its text or data.
    private static func cost(_ object: PickleObject) -> Int {
        let payload: Int
        switch object {
        case .string(let text): payload = text.utf8.count
        case .bytes(let bytes), .bigInt(let bytes): payload = bytes.count
        case .tuple(let items), .list(let items), .set(let items): payload = 8 * items.count
        case .dict(let dictionary): payload = 64 * dictionary.entries.count
        case .tensor(let tensor): payload = 16 * tensor.shape.count
        default: payload = 0
        }
        return MemoryLayout<PickleObject>.stride + payload
    }

    /// The dict key form of the object at `id`, when it is hashable by value.
    func hashKey(_ id: ObjectID) -> PickleDictionary.Key? {
        switch objects[id] {
        case .string(let s): return .string(s)
        case .int(let i): return .int(i)
        case .bool(let b): return .int(b ? 1 : 0)
        default: return nil
        }
    }

    /// The string at `id`, or nil.
    func string(_ id: ObjectID) -> String? {
        if case .string(let s) = objects[id] { return s }
        return nil
    }

    /// The int at `id` (bools count), or nil.
    func int(_ id: ObjectID) -> Int? {
        switch objects[id] {
        case .int(let i): return i
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    /// The items of a tuple or list at `id`, or nil.
    func sequence(_ id: ObjectID) -> [ObjectID]? {
        switch objects[id] {
        case .tuple(let items), .list(let items): return items
        default: return nil
        }
    }
}
