// ZipWriter: builds a zip archive of stored (uncompressed) entries in memory, laid out as
// torch's PyTorchStreamWriter does (docs/FORMATS.md §1.2): each entry's data starts on a 64-byte
// boundary, padded through an "FB" extra field in the local header, and the archive always
// ends with ZIP64 end records. CRCs and sizes sit in the local headers (no data descriptors).
// It does not compress.

/// Appends stored entries, then `finish()` writes the central directory and end records.
import NNCore

package struct ZipWriter {
    /// Data alignment torch uses (`kFieldAlignment`).
    static let alignment = 64
    private var bytes: [UInt8] = []
    private var directory: [UInt8] = []
    private var count = 0

    package init() {}

    /// Appends a stored entry named `name` holding `data`.
    package mutating func add<C: Collection>(_ name: String, _ data: C) where C.Element == UInt8 {
        let nameBytes = Array(name.utf8)
        let offset = bytes.count, size = data.count
        let crc = CRC32.checksum(data)
        let sizeIsLarge = size >= 0xFFFF_FFFF, offsetIsLarge = offset >= 0xFFFF_FFFF
        // Local header: the zip64 field carries both sizes; then "FB" padding to the alignment.
        var localExtra: [UInt8] = []
        if sizeIsLarge { localExtra = Self.field(0x0001, Self.le(size, 8) + Self.le(size, 8)) }
        let start = offset + 30 + nameBytes.count + localExtra.count + 4
        let padding = (Self.alignment - start % Self.alignment) % Self.alignment
        localExtra += Self.field(0x4246, [UInt8](repeating: UInt8(ascii: "Z"), count: padding))
        let version = sizeIsLarge || offsetIsLarge ? 45 : 20
        let sizeField = sizeIsLarge ? 0xFFFF_FFFF : size
        bytes += Self.le(0x0403_4B50, 4) + Self.le(version, 2) + Self.le(0x0800, 2) + Self.le(0, 2)
        bytes += Self.le(0, 2) + Self.le(0x21, 2) + Self.le(Int(crc), 4) + Self.le(sizeField, 4) + Self.le(sizeField, 4)
        bytes += Self.le(nameBytes.count, 2) + Self.le(localExtra.count, 2) + nameBytes + localExtra
        bytes.append(contentsOf: data)
        // Central directory: zip64 values only for the fields that overflow.
        var centralExtra: [UInt8] = []
        if sizeIsLarge { centralExtra += Self.le(size, 8) + Self.le(size, 8) }
        if offsetIsLarge { centralExtra += Self.le(offset, 8) }
        if !centralExtra.isEmpty { centralExtra = Self.field(0x0001, centralExtra) }
        directory += Self.le(0x0201_4B50, 4) + Self.le(45, 2) + Self.le(version, 2) + Self.le(0x0800, 2) + Self.le(0, 2)
        directory += Self.le(0, 2) + Self.le(0x21, 2) + Self.le(Int(crc), 4) + Self.le(sizeField, 4) + Self.le(sizeField, 4)
        directory += Self.le(nameBytes.count, 2) + Self.le(centralExtra.count, 2) + Self.le(0, 2) + Self.le(0, 2)
        directory += Self.le(0, 2) + Self.le(0, 4) + Self.le(offsetIsLarge ? 0xFFFF_FFFF : offset, 4) + nameBytes + centralExtra
        count += 1
    }

    /// The finished archive: entries, central directory, ZIP64 end record and locator, end record.
    package mutating func finish() -> [UInt8] {
        let directoryOffset = bytes.count
        bytes += directory
        let zip64Offset = bytes.count
        bytes += Self.le(0x0606_4B50, 4) + Self.le(44, 8) + Self.le(45, 2) + Self.le(45, 2) + Self.le(0, 4) + Self.le(0, 4)
        bytes += Self.le(count, 8) + Self.le(count, 8) + Self.le(directory.count, 8) + Self.le(directoryOffset, 8)
        bytes += Self.le(0x0706_4B50, 4) + Self.le(0, 4) + Self.le(zip64Offset, 8) + Self.le(1, 4)
        bytes += Self.le(0x0605_4B50, 4) + Self.le(0, 2) + Self.le(0, 2) + Self.le(min(count, 0xFFFF), 2) + Self.le(min(count, 0xFFFF), 2)
        bytes += Self.le(min(directory.count, 0xFFFF_FFFF), 4) + Self.le(min(directoryOffset, 0xFFFF_FFFF), 4) + Self.le(0, 2)
        return bytes
    }

    /// `value` as `count` little-endian bytes.
    private static func le(_ value: Int, _ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: UInt64(truncatingIfNeeded: value) >> UInt64(8 * $0)) }
    }

    /// An extra field: u16 id, u16 length, payload.
    private static func field(_ id: Int, _ payload: [UInt8]) -> [UInt8] {
        le(id, 2) + le(payload.count, 2) + payload
    }
}
