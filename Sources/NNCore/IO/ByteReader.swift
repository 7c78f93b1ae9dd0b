// ByteReader: a bounds-checked cursor over a range of a byte array, for parsing untrusted
// files (pickles, zip archives, legacy checkpoints). Every read first checks that the bytes
// exist, so a truncated or lying file throws `NNError.malformed` naming the file; nothing
// is allocated for a length the file cannot hold. It is not a file or stream reader.

/// Little-endian reads from `bytes[position..<end]` that throw instead of trapping.
package struct ByteReader {
    package let bytes: [UInt8]
    /// One past the last readable byte.
    let end: Int
    /// Offset of the next byte to read, counted from the start of `bytes`.
    package var position: Int
    /// The file named in errors.
    package let path: String
    /// What is being read, for messages (e.g. "data.pkl").
    package let context: String

    /// A reader over `bytes[range]`; the range must lie inside `bytes`.
    package init(_ bytes: [UInt8], range: Range<Int>? = nil, path: String, context: String) {
        self.bytes = bytes
        let range = range ?? 0..<bytes.count
        self.position = range.lowerBound
        self.end = range.upperBound
        self.path = path
        self.context = context
    }

    /// Bytes left to read.
    package var remaining: Int { end - position }

    /// Throws unless `count` more bytes exist.
    package func require(_ count: Int) throws {
        guard count >= 0, count <= remaining else {
            throw NNError.malformed(path: path, reason: "\(context): needs \(count) bytes at offset \(position) but only \(remaining) remain (truncated?)")
        }
    }

    package mutating func byte() throws -> UInt8 {
        try require(1)
        defer { position += 1 }
        return bytes[position]
    }

    /// An unsigned little-endian integer of `count` (1...8) bytes.
    package mutating func unsigned(_ count: Int) throws -> UInt64 {
        try require(count)
        var value: UInt64 = 0
        for i in 0..<count { value |= UInt64(bytes[position + i]) << UInt64(8 * i) }
        position += count
        return value
    }

    /// A length field of `count` bytes, checked to fit in the bytes that remain.
    package mutating func length(_ count: Int) throws -> Int {
        let value = try unsigned(count)
        guard value <= UInt64(remaining) else {
            throw NNError.malformed(path: path, reason: "\(context): length \(value) at offset \(position - count) exceeds the \(remaining) bytes that remain")
        }
        return Int(value)
    }

    /// The next `count` bytes.
    package mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
        try require(count)
        defer { position += count }
        return bytes[position..<(position + count)]
    }

    /// Bytes up to (not including) the next `\n`, which is consumed.
    package mutating func line() throws -> ArraySlice<UInt8> {
        try require(0)
        guard let newline = bytes[position..<end].firstIndex(of: 0x0A) else {
            throw NNError.malformed(path: path, reason: "\(context): unterminated text line at offset \(position)")
        }
        defer { position = newline + 1 }
        return bytes[position..<newline]
    }
}
