// Unpickler+Opcodes: one case per pickle opcode (docs/FORMATS.md §2.2): the protocol 2 core torch
// writes, the protocol 4/5 additions, and the text opcodes of protocols 0/1. INST/OBJ, EXT*
// and out-of-band buffers are refused; any other byte is not an opcode.

import NNCore

extension Unpickler {
    /// Executes one opcode; returns the result at STOP, nil otherwise.
    mutating func execute(_ opcode: UInt8) throws -> ObjectID? {
        switch opcode {
        case 0x80: // PROTO
            let version = Int(try reader.byte())
            guard version <= 5 else { throw PickleFailure(.unsupported, "pickle protocol \(version) (Shears reads 0 to 5)") }
            protocolVersion = version
        case 0x95: _ = try reader.unsigned(8) // FRAME: a buffering hint
        case 0x2E: return try pop() // STOP
        case 0x28: try pushMark() // MARK
        case 0x30: // POP (an empty stack above a mark pops the mark, as CPython does)
            if stack.count > (marks.last ?? 0) { _ = try pop() } else { _ = try popMark() }
        case 0x31: _ = try popMark() // POP_MARK
        case 0x32: stack.append(try top()) // DUP
        case 0x4E: push(.none)
        case 0x88: push(.bool(true))
        case 0x89: push(.bool(false))
        case 0x4A: push(.int(Int(Int32(truncatingIfNeeded: try reader.unsigned(4))))) // BININT
        case 0x4B: push(.int(Int(try reader.unsigned(1)))) // BININT1
        case 0x4D: push(.int(Int(try reader.unsigned(2)))) // BININT2
        case 0x8A: push(Self.long(Array(try reader.take(try reader.length(1))))) // LONG1
        case 0x8B: // LONG4
            let count = Int32(truncatingIfNeeded: try reader.unsigned(4))
            guard count >= 0, Int(count) <= reader.remaining else { throw PickleFailure(.malformed, "LONG4 length \(count) does not fit the file") }
            push(Self.long(Array(try reader.take(Int(count)))))
        case 0x49: // INT: decimal line, I01/I00 are True/False
            let text = try asciiLine()
            if text == "01" || text == "00" { push(.bool(text == "01")) } else { push(.int(try Self.decimal(text))) }
        case 0x4C: // LONG: decimal line with an L suffix
            let text = try asciiLine()
            push(.int(try Self.decimal(text.hasSuffix("L") ? String(text.dropLast()) : text)))
        case 0x47: // BINFLOAT: big-endian double
            let raw = try reader.unsigned(8)
            push(.float(Double(bitPattern: raw.byteSwapped)))
        case 0x46: // FLOAT: text line
            let text = try asciiLine()
            guard let value = Double(text) else { throw PickleFailure(.malformed, "FLOAT '\(text)' is not a number") }
            push(.float(value))
        case 0x58: push(.string(try utf8(try reader.take(try reader.length(4))))) // BINUNICODE
        case 0x8C: push(.string(try utf8(try reader.take(try reader.length(1))))) // SHORT_BINUNICODE
        case 0x8D: push(.string(try utf8(try reader.take(try reader.length(8))))) // BINUNICODE8
        case 0x56: push(.string(try Self.rawUnicodeEscape(try reader.line()))) // UNICODE
        case 0x55: push(.string(try utf8(try reader.take(try reader.length(1))))) // SHORT_BINSTRING
        case 0x54: // BINSTRING: signed 32-bit length
            let count = Int32(truncatingIfNeeded: try reader.unsigned(4))
            guard count >= 0, Int(count) <= reader.remaining else { throw PickleFailure(.malformed, "BINSTRING length \(count) does not fit the file") }
            push(.string(try utf8(try reader.take(Int(count)))))
        case 0x53: push(.string(try utf8(try Self.quotedString(try reader.line())))) // STRING
        case 0x43: push(.bytes(Array(try reader.take(try reader.length(1))))) // SHORT_BINBYTES
        case 0x42: push(.bytes(Array(try reader.take(try reader.length(4))))) // BINBYTES
        case 0x8E, 0x96: push(.bytes(Array(try reader.take(try reader.length(8))))) // BINBYTES8, BYTEARRAY8
        case 0x29: push(.tuple([])) // EMPTY_TUPLE
        case 0x74: push(.tuple(try popMark())) // TUPLE
        case 0x85, 0x86, 0x87: // TUPLE1/2/3
            var items: [ObjectID] = []
            for _ in 0...Int(opcode - 0x85) { items.insert(try pop(), at: 0) }
            push(.tuple(items))
        case 0x5D: push(.list([])) // EMPTY_LIST
        case 0x6C: push(.list(try popMark())) // LIST
        case 0x61: let item = try pop(); try append([item], to: try top()) // APPEND
        case 0x65: let items = try popMark(); try append(items, to: try top()) // APPENDS
        case 0x7D: push(.dict(PickleDictionary())) // EMPTY_DICT
        case 0x64: // DICT
            let items = try popMark()
            push(.dict(PickleDictionary()))
            try setItems(items, in: try top())
        case 0x73: // SETITEM
            let value = try pop(), key = try pop()
            try setItems([key, value], in: try top())
        case 0x75: let items = try popMark(); try setItems(items, in: try top()) // SETITEMS
        case 0x8F: push(.set([])) // EMPTY_SET
        case 0x90: let items = try popMark(); try append(items, to: try top()) // ADDITEMS
        case 0x91: push(.set(try popMark())) // FROZENSET
        case 0x71: memo[Int(try reader.unsigned(1))] = try top() // BINPUT
        case 0x72: memo[Int(try reader.unsigned(4))] = try top() // LONG_BINPUT
        case 0x70: memo[try Self.decimal(try asciiLine())] = try top() // PUT
        case 0x94: memo[memo.count] = try top() // MEMOIZE
        case 0x68: try pushMemo(Int(try reader.unsigned(1))) // BINGET
        case 0x6A: try pushMemo(Int(try reader.unsigned(4))) // LONG_BINGET
        case 0x67: try pushMemo(try Self.decimal(try asciiLine())) // GET
        case 0x63: // GLOBAL: "module\nname\n"
            let module = try utf8(try reader.line()), name = try utf8(try reader.line())
            push(.global(try GlobalAllowlist.resolve(module: module, name: name, protocolVersion: protocolVersion)))
        case 0x93: // STACK_GLOBAL
            let nameID = try pop(), moduleID = try pop()
            guard let module = graph.string(moduleID), let name = graph.string(nameID) else {
                throw PickleFailure(.malformed, "STACK_GLOBAL needs two strings")
            }
            push(.global(try GlobalAllowlist.resolve(module: module, name: name, protocolVersion: protocolVersion)))
        case 0x52: // REDUCE
            let arguments = try pop(), callable = try pop()
            stack.append(try reduce(callable, arguments))
        case 0x81: // NEWOBJ
            let arguments = try pop(), type = try pop()
            stack.append(try newObject(type, arguments))
        case 0x92: // NEWOBJ_EX: keyword arguments are kept out; instances only store data
            _ = try pop()
            let arguments = try pop(), type = try pop()
            stack.append(try newObject(type, arguments))
        case 0x62: let state = try pop(); try build(try top(), state: state) // BUILD
        case 0x51: stack.append(try persistent(try pop())) // BINPERSID
        case 0x50: // PERSID: the id is a text line
            let id = graph.add(.string(try utf8(try reader.line())))
            stack.append(try persistent(id))
        case 0x69, 0x6F:
            throw PickleFailure(.refused, "refusing old-style instance creation (INST/OBJ), which calls the class")
        case 0x82, 0x83, 0x84:
            throw PickleFailure(.unsupported, "copyreg extension codes (EXT1/2/4) are not supported")
        case 0x97, 0x98:
            throw PickleFailure(.unsupported, "out-of-band buffers (NEXT_BUFFER/READONLY_BUFFER) are not supported")
        default:
            throw PickleFailure(.malformed, "unknown opcode")
        }
        return nil
    }

    // MARK: Containers

    /// APPEND(S) to a list, ADDITEMS to a set.
    private mutating func append(_ items: [ObjectID], to target: ObjectID) throws {
        switch graph.take(target) {
        case .list(var existing):
            existing.append(contentsOf: items)
            graph[target] = .list(existing)
        case .set(var existing):
            existing.append(contentsOf: items)
            graph[target] = .set(existing)
        case let other:
            throw PickleFailure(.malformed, "cannot append to a \(other.kindName)")
        }
    }

    /// SETITEM(S): `items` alternate key, value.
    private mutating func setItems(_ items: [ObjectID], in target: ObjectID) throws {
        guard items.count % 2 == 0 else { throw PickleFailure(.malformed, "odd number of items for a dict") }
        let object = graph.take(target)
        guard case .dict(var dictionary) = object else {
            throw PickleFailure(.malformed, "cannot set items in a \(object.kindName)")
        }
        for i in stride(from: 0, to: items.count, by: 2) {
            dictionary.set(items[i + 1], for: items[i], hashKey: graph.hashKey(items[i]))
        }
        graph[target] = .dict(dictionary)
    }

    private mutating func pushMemo(_ index: Int) throws {
        guard let id = memo[index] else { throw PickleFailure(.malformed, "memo entry \(index) was never stored") }
        stack.append(id)
    }

    // MARK: Text and numbers

    private func utf8(_ bytes: ArraySlice<UInt8>) throws -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw PickleFailure(.malformed, "string is not valid UTF-8")
        }
        return text
    }

    private mutating func asciiLine() throws -> String {
        let text = String(decoding: try reader.line(), as: UTF8.self)
        return text.hasSuffix("\r") ? String(text.dropLast()) : text
    }

    private static func decimal(_ text: String) throws -> Int {
        guard let value = Int(text) else { throw PickleFailure(.unsupported, "integer '\(text.prefix(40))' is not a 64-bit int") }
        return value
    }

    /// LONG1/LONG4 payload: little-endian two's complement; ints beyond 64 bits stay as bytes.
    static func long(_ bytes: [UInt8]) -> PickleObject {
        var trimmed = bytes
        while trimmed.count > 8 {
            let last = trimmed[trimmed.count - 1], next = trimmed[trimmed.count - 2]
            guard (last == 0 && next < 0x80) || (last == 0xFF && next >= 0x80) else { break }
            trimmed.removeLast()
        }
        guard trimmed.count <= 8 else { return .bigInt(trimmed) }
        guard let last = trimmed.last else { return .int(0) }
        var value = UInt64(last >= 0x80 ? UInt64.max : 0)
        for (i, byte) in trimmed.enumerated() {
            value &= ~(UInt64(0xFF) << UInt64(8 * i))
            value |= UInt64(byte) << UInt64(8 * i)
        }
        return .int(Int(Int64(bitPattern: value)))
    }
}
