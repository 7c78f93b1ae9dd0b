// StateDict: an ordered map from parameter name ("layer1.0.conv1.weight") to tensor,
// the Swift counterpart of `model.state_dict()`.

/// One stored tensor: floating values as `Tensor`, integer values as `IntTensor`,
/// each with the dtype the checkpoint declared.
public enum StoredTensor: Equatable, Sendable {
    case float(Tensor, DType)
    case integer(IntTensor, DType)

    /// The tensor's sizes.
    public var shape: [Int] {
        switch self {
        case .float(let t, _): return t.shape
        case .integer(let t, _): return t.shape
        }
    }

    /// The dtype the checkpoint declared.
    public var dtype: DType {
        switch self {
        case .float(_, let d), .integer(_, let d): return d
        }
    }

    /// The floating tensor, or nil for integer tensors.
    public var floatTensor: Tensor? {
        if case .float(let t, _) = self { return t }
        return nil
    }
}

/// Name → tensor, in insertion order (the order `state_dict()` lists them).
public struct StateDict: Equatable, Sendable {
    /// Keys in insertion order.
    public private(set) var keys: [String] = []
    private var storage: [String: StoredTensor] = [:]

    public init() {}

    /// Number of entries.
    public var count: Int { keys.count }

    /// The entry for `key`. Setting nil removes it; setting a new key appends it.
    public subscript(key: String) -> StoredTensor? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    /// The float32 tensor stored under `key`, or nil when absent or integer.
    public func tensor(_ key: String) -> Tensor? { storage[key]?.floatTensor }

    /// Stores `tensor` under `key`, keeping the previous dtype when the key exists (float32 otherwise).
    public mutating func setTensor(_ key: String, _ tensor: Tensor) {
        let dtype = storage[key].map { $0.dtype.isFloatingPoint ? $0.dtype : .float32 } ?? .float32
        self[key] = .float(tensor, dtype)
    }

    /// Entries in insertion order.
    public var entries: [(key: String, value: StoredTensor)] {
        keys.map { ($0, storage[$0]!) }
    }
}
