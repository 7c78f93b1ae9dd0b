// BlobFields: typed, validated access to one dict of a blob's Python value tree (the top
// level or one tensor entry), throwing QuantizeError.malformedBlob with the dict's name.
// Internal to BlobCodec's decoder.

import NNCore
import NNTorchIO

/// The string-keyed fields of one blob dict, with the context that error messages name.
struct BlobFields {
    let fields: [String: PickleValue]
    /// "the blob" or "tensor 'name'".
    let context: String
    let path: String

    init(_ value: PickleValue, context: String, path: String) throws {
        self.context = context
        self.path = path
        guard case .dict(let pairs) = value else {
            throw QuantizeError.malformedBlob(path: path, reason: "\(context) is not a dict")
        }
        fields = Dictionary(pairs, uniquingKeysWith: { _, last in last })
    }

    /// A malformed-blob error naming the context.
    func error(_ reason: String) -> QuantizeError {
        .malformedBlob(path: path, reason: "\(context): \(reason)")
    }

    func has(_ key: String) -> Bool { fields[key] != nil }

    func value(_ key: String) throws -> PickleValue {
        guard let value = fields[key] else { throw error("missing \"\(key)\"") }
        return value
    }

    func string(_ key: String) throws -> String {
        guard case .string(let s) = try value(key) else { throw error("\"\(key)\" is not a str") }
        return s
    }

    func optionalString(_ key: String) throws -> String? {
        switch try value(key) {
        case .none: return nil
        case .string(let s): return s
        default: throw error("\"\(key)\" is neither a str nor None")
        }
    }

    func int(_ key: String) throws -> Int {
        guard case .int(let v) = try value(key) else { throw error("\"\(key)\" is not an int") }
        return v
    }

    func bool(_ key: String) throws -> Bool {
        guard case .bool(let v) = try value(key) else { throw error("\"\(key)\" is not a bool") }
        return v
    }

    func bytes(_ key: String) throws -> [UInt8] {
        guard case .bytes(let v) = try value(key) else { throw error("\"\(key)\" is not bytes") }
        return v
    }

    /// A Python float (or int) as float32; it must be finite in float32.
    func float(_ value: PickleValue, what: String) throws -> Float {
        let number: Double
        switch value {
        case .float(let d): number = d
        case .int(let i): number = Double(i)
        default: throw error("\(what) is not a float")
        }
        let narrowed = Float(number)
        guard narrowed.isFinite else { throw error("\(what) is \(number), not a finite float32") }
        return narrowed
    }

    /// A list (or tuple) of floats.
    func floats(_ key: String) throws -> [Float] {
        switch try value(key) {
        case .list(let items), .tuple(let items):
            return try items.enumerated().map { try float($1, what: "\"\(key)\"[\($0)]") }
        default: throw error("\"\(key)\" is not a list")
        }
    }

    /// The range stored under `minKey`/`maxKey`.
    func range(_ minKey: String, _ maxKey: String) throws -> MinMaxRange {
        try checkedRange(float(value(minKey), what: "\"\(minKey)\""), float(value(maxKey), what: "\"\(maxKey)\""),
                         what: "\"\(minKey)\"/\"\(maxKey)\"")
    }

    /// `min...max` with `min <= max` and a width float32 can hold.
    func checkedRange(_ min: Float, _ max: Float, what: String) throws -> MinMaxRange {
        guard min <= max, (max - min).isFinite else { throw error("\(what) range \(min)...\(max) is not valid") }
        return MinMaxRange(min: min, max: max)
    }

    /// "shape": a tuple (or list) of non-negative ints whose product, times 8, fits in Int.
    func shape() throws -> [Int] {
        let items: [PickleValue]
        switch try value("shape") {
        case .tuple(let v), .list(let v): items = v
        default: throw error("\"shape\" is not a tuple")
        }
        let sizes = try items.map { item -> Int in
            guard case .int(let size) = item, size >= 0 else { throw error("\"shape\" holds \(Self.describe(item)), not a size") }
            return size
        }
        var count = 8
        for size in sizes {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow else { throw error("shape \(sizes) has too many elements") }
            count = product
        }
        return sizes
    }

    /// An int as its value, anything else as its Python type name.
    static func describe(_ value: PickleValue) -> String {
        switch value {
        case .none: return "None"
        case .bool: return "a bool"
        case .int(let v): return "\(v)"
        case .float(let v): return "\(v)"
        case .string: return "a str"
        case .bytes: return "bytes"
        case .list: return "a list"
        case .tuple: return "a tuple"
        case .dict: return "a dict"
        }
    }
}
