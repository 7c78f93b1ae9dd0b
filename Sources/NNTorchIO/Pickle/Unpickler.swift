// Unpickler: a restricted pickle virtual machine for reading torch.save files and Shears'
// own blobs (docs/FORMATS.md §2). It builds a `PickleGraph` of plain values and never executes
// anything: globals go through `GlobalAllowlist`, and the only "calls" are the containers and
// torch rebuild functions interpreted in `Unpickler+Calls.swift`. Opcodes live in
// `Unpickler+Opcodes.swift`. Every length is checked against the bytes left before anything
// is allocated, MARK nesting is capped, and the objects built are checked against the
// `MemoryBudget` after every opcode.

/// Why unpickling stopped, before the file and opcode offset are added.
import NNCore

struct PickleFailure: Error {
    enum Kind { case malformed, unsupported, refused }
    let kind: Kind
    let reason: String

    init(_ kind: Kind, _ reason: String) {
        self.kind = kind
        self.reason = reason
    }

    /// The NNError for `path`, with `location` (e.g. "data.pkl, opcode 0x52 at offset 9") in front.
    func error(path: String, location: String) -> NNError {
        let reason = "\(location): \(self.reason)"
        switch kind {
        case .malformed: return .malformed(path: path, reason: reason)
        case .unsupported: return .unsupported(path: path, reason: reason)
        case .refused: return .refused(path: path, reason: reason)
        }
    }
}

/// A pickle virtual machine over one pickle in a byte array. Public for `plainValue(_:path:)`.
public struct Unpickler {
    /// Turns a persistent id (the object on the stack at BINPERSID) into an object of the graph.
    typealias PersistentLoader = (inout PickleGraph, ObjectID) throws -> ObjectID

    /// Most MARKs open at once.
    static let maximumMarkDepth = 1000

    var graph = PickleGraph()
    var reader: ByteReader
    var stack: [ObjectID] = []
    /// Stack heights at each open MARK.
    var marks: [Int] = []
    var memo: [Int: ObjectID] = [:]
    /// From PROTO; 0 until then. Below 3, Python 2 module names are mapped (§2.3).
    var protocolVersion = 0
    let persistentLoad: PersistentLoader?

    /// A machine for the pickle starting at `range.lowerBound` (the whole array by default).
    /// `context` names the pickle in messages ("data.pkl"); `persistentLoad` nil refuses persistent ids.
    init(_ bytes: [UInt8], range: Range<Int>? = nil, path: String, context: String,
         persistentLoad: PersistentLoader? = nil) {
        reader = ByteReader(bytes, range: range, path: path, context: context)
        self.persistentLoad = persistentLoad
    }

    /// Offset just past the STOP once `load()` returned: where a following pickle starts.
    var endOffset: Int { reader.position }

    /// Runs to STOP and returns the result's index in `graph`.
    mutating func load() throws -> ObjectID {
        while true {
            let offset = reader.position
            let opcode = try reader.byte()
            do {
                if let result = try execute(opcode) { return result }
                try MemoryBudget.check(graph.byteCount, for: "the objects \(reader.context) builds (at offset \(offset))", path: reader.path)
            } catch let failure as PickleFailure {
                let printable = (0x21...0x7E).contains(opcode) ? " ('\(Character(Unicode.Scalar(opcode)))')" : ""
                let hex = String(opcode, radix: 16, uppercase: true)
                throw failure.error(path: reader.path,
                                    location: "\(reader.context): opcode 0x\(hex.count < 2 ? "0" + hex : hex)\(printable) at offset \(offset)")
            }
        }
    }

    // MARK: Stack

    /// Adds `object` to the graph and pushes it.
    mutating func push(_ object: PickleObject) {
        stack.append(graph.add(object))
    }

    /// Pops the top, which must lie above the innermost MARK.
    mutating func pop() throws -> ObjectID {
        guard stack.count > (marks.last ?? 0) else { throw PickleFailure(.malformed, "stack underflow") }
        return stack.removeLast()
    }

    /// The top, which must lie above the innermost MARK.
    func top() throws -> ObjectID {
        guard stack.count > (marks.last ?? 0) else { throw PickleFailure(.malformed, "stack underflow") }
        return stack[stack.count - 1]
    }

    mutating func pushMark() throws {
        guard marks.count < Self.maximumMarkDepth else {
            throw PickleFailure(.unsupported, "more than \(Self.maximumMarkDepth) nested MARKs")
        }
        marks.append(stack.count)
    }

    /// Pops everything above the innermost MARK, and the MARK.
    mutating func popMark() throws -> [ObjectID] {
        guard let height = marks.popLast() else { throw PickleFailure(.malformed, "no MARK to pop to") }
        defer { stack.removeSubrange(height...) }
        return Array(stack[height...])
    }
}
