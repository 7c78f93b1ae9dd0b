// PickleWriter: emits Python pickle opcodes (protocol 2 or 4), enough for a torch.save
// state dict and for plain data (dicts, lists, tuples, numbers, strings, bytes) that
// Python's `pickle.load` reads with no third-party module. No memo is written: unpicklers
// accept streams without BINPUT. Byte layouts: docs/FORMATS.md §2.4.

/// A plain Python value for `PickleWriter.write(_:)`.
import NNCore

public indirect enum PickleValue: Equatable, Sendable {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case list([PickleValue])
    case tuple([PickleValue])
    /// A `dict` with string keys, in this order.
    case dict([(String, PickleValue)])

    public static func == (lhs: PickleValue, rhs: PickleValue) -> Bool {
        switch (lhs, rhs) {
        case (.none, .none): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.int(a), .int(b)): return a == b
        case let (.float(a), .float(b)): return a.bitPattern == b.bitPattern
        case let (.string(a), .string(b)): return a == b
        case let (.bytes(a), .bytes(b)): return a == b
        case let (.list(a), .list(b)), let (.tuple(a), .tuple(b)): return a == b
        case let (.dict(a), .dict(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }
}

/// Appends pickle opcodes to a byte buffer. Start with `init(protocol:)`, end with `finish()`.
public struct PickleWriter {
    /// The pickle protocol written in the PROTO header (2 or 4).
    public let protocolVersion: UInt8
    public private(set) var bytes: [UInt8]

    /// Starts a pickle: `PROTO n`.
    public init(protocol version: UInt8 = 2) {
        precondition(version == 2 || version == 4, "PickleWriter writes protocol 2 or 4")
        protocolVersion = version
        bytes = [0x80, version]
    }

    /// Appends STOP and returns the finished pickle.
    public mutating func finish() -> [UInt8] {
        bytes.append(0x2E)
        return bytes
    }

    // MARK: Opcodes

    public mutating func mark() { bytes.append(0x28) }
    public mutating func none() { bytes.append(0x4E) }
    public mutating func bool(_ v: Bool) { bytes.append(v ? 0x88 : 0x89) }
    public mutating func emptyTuple() { bytes.append(0x29) }
    public mutating func emptyList() { bytes.append(0x5D) }
    public mutating func emptyDict() { bytes.append(0x7D) }
    /// TUPLE: pops to the last mark.
    public mutating func tupleFromMark() { bytes.append(0x74) }
    /// TUPLE1/2/3: pops 1, 2 or 3 items.
    public mutating func tuple(of count: Int) {
        precondition((1...3).contains(count))
        bytes.append([0x85, 0x86, 0x87][count - 1])
    }
    /// APPENDS: appends items since the mark to the list below it.
    public mutating func appends() { bytes.append(0x65) }
    /// SETITEMS: sets key/value pairs since the mark into the dict below it.
    public mutating func setItems() { bytes.append(0x75) }
    /// REDUCE: `callable(*args)`.
    public mutating func reduce() { bytes.append(0x52) }
    /// BUILD: applies the state on top to the object below.
    public mutating func build() { bytes.append(0x62) }
    /// BINPERSID: the persistent id on top becomes the loader's object.
    public mutating func persistentID() { bytes.append(0x51) }

    /// GLOBAL `module\nname\n`.
    public mutating func global(_ module: String, _ name: String) {
        bytes.append(0x63)
        bytes.append(contentsOf: Array("\(module)\n\(name)\n".utf8))
    }

    /// Smallest int encoding: BININT1, BININT2, BININT or LONG1 (minimal two's complement).
    public mutating func int(_ v: Int) {
        if (0...0xFF).contains(v) {
            bytes.append(0x4B); bytes.append(UInt8(v))
        } else if (0x100...0xFFFF).contains(v) {
            bytes.append(0x4D); appendLittleEndian(UInt64(v), count: 2)
        } else if (Int(Int32.min)...Int(Int32.max)).contains(v) {
            bytes.append(0x4A); appendLittleEndian(UInt64(UInt32(bitPattern: Int32(v))), count: 4)
        } else {
            var n = 8
            while n > 1 {
                let top = Int8(truncatingIfNeeded: v >> ((n - 1) * 8))
                let next = Int8(truncatingIfNeeded: v >> ((n - 2) * 8))
                if (top == 0 && next >= 0) || (top == -1 && next < 0) { n -= 1 } else { break }
            }
            bytes.append(0x8A); bytes.append(UInt8(n))
            appendLittleEndian(UInt64(bitPattern: Int64(v)), count: n)
        }
    }

    /// BINFLOAT: 8-byte big-endian IEEE-754 double.
    public mutating func float(_ v: Double) {
        bytes.append(0x47)
        let bits = v.bitPattern
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8((bits >> UInt64(shift)) & 0xFF)) }
    }

    /// BINUNICODE (protocol 2) or SHORT_BINUNICODE when shorter than 256 bytes (protocol 4).
    public mutating func string(_ s: String) {
        let utf8 = Array(s.utf8)
        if protocolVersion >= 4 && utf8.count < 256 {
            bytes.append(0x8C); bytes.append(UInt8(utf8.count))
        } else {
            bytes.append(0x58); appendLittleEndian(UInt64(utf8.count), count: 4)
        }
        bytes.append(contentsOf: utf8)
    }

    /// Python `bytes`: SHORT_BINBYTES/BINBYTES in protocol 4; in protocol 2 the form Python
    /// itself writes, `_codecs.encode(<latin-1 str>, 'latin1')`, which torch's weights_only loader accepts.
    public mutating func bytesObject(_ data: [UInt8]) {
        if protocolVersion >= 4 {
            if data.count < 256 {
                bytes.append(0x43); bytes.append(UInt8(data.count))
            } else {
                bytes.append(0x42); appendLittleEndian(UInt64(data.count), count: 4)
            }
            bytes.append(contentsOf: data)
        } else {
            global("_codecs", "encode")
            var latin1 = String.UnicodeScalarView()
            latin1.append(contentsOf: data.map { Unicode.Scalar($0) })
            string(String(latin1))
            string("latin1")
            tuple(of: 2)
            reduce()
        }
    }

    // MARK: Values

    /// Writes a plain value tree.
    public mutating func write(_ value: PickleValue) {
        switch value {
        case .none: none()
        case .bool(let v): bool(v)
        case .int(let v): int(v)
        case .float(let v): float(v)
        case .string(let v): string(v)
        case .bytes(let v): bytesObject(v)
        case .list(let items):
            emptyList()
            if !items.isEmpty { mark(); items.forEach { write($0) }; appends() }
        case .tuple(let items):
            if items.isEmpty {
                emptyTuple()
            } else if items.count <= 3 {
                items.forEach { write($0) }; tuple(of: items.count)
            } else {
                mark(); items.forEach { write($0) }; tupleFromMark()
            }
        case .dict(let pairs):
            emptyDict()
            if !pairs.isEmpty {
                mark()
                for (key, item) in pairs { string(key); write(item) }
                setItems()
            }
        }
    }

    private mutating func appendLittleEndian(_ v: UInt64, count: Int) {
        for i in 0..<count { bytes.append(UInt8((v >> UInt64(8 * i)) & 0xFF)) }
    }
}
