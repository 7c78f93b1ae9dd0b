// ZipArchive: reads the directory of a zip file held in memory, as torch's zip checkpoints
// need (docs/FORMATS.md §1.2): classic and ZIP64 end records, zip64 extra fields, and the data
// offset taken from each LOCAL header (torch pads there, not in the central directory).
// Only stored (uncompressed) entries can be read; there is no inflate. Every offset and size
// is checked against the file before use. It is not a general zip tool (no multi-disk, no
// encryption, no CRC check: torch does not check CRCs either). Two entries with one name are
// refused (which one a reader takes is arbitrary; torch refuses them too), and so is a name
// holding a NUL byte (a C reader such as torch's miniz ends the name there, so it could be
// another entry's). Names are only ever compared, never used as paths, so `..` and absolute
// names are harmless.

/// An in-memory zip archive's entries.
import NNCore

package struct ZipArchive {
    package struct Entry {
        package let name: String
        /// 0 = stored, 8 = deflate, ...
        let method: UInt16
        let crc32: UInt32
        let compressedSize: Int
        let uncompressedSize: Int
        let localHeaderOffset: Int
    }

    let bytes: [UInt8]
    let path: String
    /// Entries in central-directory order.
    package let entries: [Entry]
    private let index: [String: Int]

    /// Parses the central directory of `bytes` (the whole file at `path`).
    package init(bytes: [UInt8], path: String) throws {
        self.bytes = bytes
        self.path = path
        let directory = try Self.findDirectory(bytes, path: path)
        var reader = ByteReader(bytes, range: directory.offset..<(directory.offset + directory.size), path: path, context: "zip central directory")
        var entries: [Entry] = []
        entries.reserveCapacity(min(directory.count, directory.size / 46))
        for _ in 0..<directory.count {
            entries.append(try Self.readEntry(&reader))
        }
        var index: [String: Int] = [:]
        for (position, entry) in entries.enumerated() {
            guard index.updateValue(position, forKey: entry.name) == nil else {
                throw NNError.malformed(path: path, reason: "zip holds two entries named '\(entry.name)'; a zip checkpoint names each record once (torch refuses it too)")
            }
        }
        self.entries = entries
        self.index = index
    }

    package func entry(named name: String) -> Entry? { index[name].map { entries[$0] } }

    /// The stored bytes of `entry`, located through its local header.
    package func data(of entry: Entry) throws -> ArraySlice<UInt8> {
        guard entry.method == 0 else {
            let method = entry.method == 8 ? "deflate-compressed" : "compressed with method \(entry.method)"
            throw NNError.unsupported(path: path, reason: "zip entry '\(entry.name)' is \(method); Shears reads only stored (uncompressed) entries, as torch.save writes them")
        }
        guard entry.compressedSize == entry.uncompressedSize else {
            throw NNError.malformed(path: path, reason: "stored zip entry '\(entry.name)' has compressed size \(entry.compressedSize) but size \(entry.uncompressedSize)")
        }
        var header = ByteReader(bytes, range: entry.localHeaderOffset..<bytes.count, path: path, context: "local header of '\(entry.name)'")
        try header.require(30)
        guard try header.unsigned(4) == 0x0403_4B50 else {
            throw NNError.malformed(path: path, reason: "zip entry '\(entry.name)': no local header at offset \(entry.localHeaderOffset)")
        }
        header.position += 22
        let nameLength = Int(try header.unsigned(2)), extraLength = Int(try header.unsigned(2))
        try header.require(nameLength + extraLength)
        header.position += nameLength + extraLength
        return try header.take(entry.uncompressedSize)
    }

    // MARK: Directory

    private static func findDirectory(_ bytes: [UInt8], path: String) throws -> (offset: Int, size: Int, count: Int) {
        func u32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << UInt32(8 * $1) } }
        // The classic end record (22 bytes + a comment of at most 65535) ends the file.
        let lowest = max(0, bytes.count - 22 - 65_535)
        guard bytes.count >= 22,
              let end = stride(from: bytes.count - 22, through: lowest, by: -1).first(where: { u32($0) == 0x0605_4B50 }) else {
            throw NNError.malformed(path: path, reason: "zip end-of-central-directory record not found (truncated?)")
        }
        var record = ByteReader(bytes, range: end..<bytes.count, path: path, context: "zip end record")
        record.position += 10
        var count = Int(try record.unsigned(2))
        var size = Int(try record.unsigned(4))
        var offset = Int(try record.unsigned(4))
        // ZIP64: a locator just before the end record points at the ZIP64 end record.
        if end >= 20, u32(end - 20) == 0x0706_4B50 {
            var locator = ByteReader(bytes, range: (end - 20)..<end, path: path, context: "zip64 locator")
            locator.position += 8
            let recordOffset = try locator.unsigned(8)
            guard recordOffset <= UInt64(end - 20) else {
                throw NNError.malformed(path: path, reason: "zip64 end record offset \(recordOffset) is outside the file")
            }
            var record64 = ByteReader(bytes, range: Int(recordOffset)..<(end - 20), path: path, context: "zip64 end record")
            guard try record64.unsigned(4) == 0x0606_4B50 else {
                throw NNError.malformed(path: path, reason: "no zip64 end record at offset \(recordOffset)")
            }
            record64.position += 28
            let count64 = try record64.unsigned(8), size64 = try record64.unsigned(8), offset64 = try record64.unsigned(8)
            guard count64 <= UInt64(bytes.count), size64 <= UInt64(bytes.count), offset64 <= UInt64(bytes.count) else {
                throw NNError.malformed(path: path, reason: "zip64 end record declares sizes beyond the \(bytes.count)-byte file")
            }
            (count, size, offset) = (Int(count64), Int(size64), Int(offset64))
        }
        guard offset <= bytes.count, size <= bytes.count - offset, count <= size / 46 else {
            throw NNError.malformed(path: path, reason: "zip central directory (\(count) entries, \(size) bytes at offset \(offset)) does not fit the \(bytes.count)-byte file")
        }
        return (offset, size, count)
    }

    private static func readEntry(_ reader: inout ByteReader) throws -> Entry {
        let path = reader.path
        guard try reader.unsigned(4) == 0x0201_4B50 else {
            throw NNError.malformed(path: path, reason: "zip central directory entry missing at offset \(reader.position - 4)")
        }
        reader.position += 6
        let method = UInt16(try reader.unsigned(2))
        reader.position += 4
        let crc = UInt32(try reader.unsigned(4))
        var compressed = try reader.unsigned(4), uncompressed = try reader.unsigned(4)
        let nameLength = Int(try reader.unsigned(2)), extraLength = Int(try reader.unsigned(2)), commentLength = Int(try reader.unsigned(2))
        reader.position += 8
        var localOffset = try reader.unsigned(4)
        guard let name = String(validating: try reader.take(nameLength), as: UTF8.self) else {
            throw NNError.malformed(path: path, reason: "zip entry name is not UTF-8")
        }
        guard !name.utf8.contains(0) else {
            throw NNError.malformed(path: path, reason: "zip entry name '\(name)' holds a NUL byte")
        }
        var extra = ByteReader(reader.bytes, range: reader.position..<(reader.position + min(extraLength, reader.remaining)), path: path, context: "zip extra field of '\(name)'")
        try reader.require(extraLength + commentLength)
        reader.position += extraLength + commentLength
        // Zip64 extra field (0x0001): the 64-bit values of the fields that read 0xFFFFFFFF, in order.
        while extra.remaining >= 4 {
            let id = try extra.unsigned(2), length = try extra.length(2)
            var field = ByteReader(extra.bytes, range: extra.position..<(extra.position + length), path: path, context: extra.context)
            extra.position += length
            guard id == 0x0001 else { continue }
            if uncompressed == 0xFFFF_FFFF { uncompressed = try field.unsigned(8) }
            if compressed == 0xFFFF_FFFF { compressed = try field.unsigned(8) }
            if localOffset == 0xFFFF_FFFF { localOffset = try field.unsigned(8) }
        }
        let limit = UInt64(reader.bytes.count)
        guard compressed <= limit, uncompressed <= limit, localOffset <= limit else {
            throw NNError.malformed(path: path, reason: "zip entry '\(name)' declares sizes or offsets beyond the \(limit)-byte file")
        }
        return Entry(name: name, method: method, crc32: crc, compressedSize: Int(compressed),
                     uncompressedSize: Int(uncompressed), localHeaderOffset: Int(localOffset))
    }
}
