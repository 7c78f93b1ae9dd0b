import XCTest
import TestSupport
@testable import NNCore
@testable import NNTorchIO

final class ZipArchiveTests: XCTestCase {
    func testReadsATorchWrittenArchive() throws {
        let bytes = try Fixtures.bytes("checkpoints/bare_zip_p2.pt")
        let archive = try ZipArchive(bytes: bytes, path: "bare_zip_p2.pt")
        let names = archive.entries.map(\.name)
        XCTAssertEqual(names.first, "bare_zip_p2/data.pkl")
        XCTAssertTrue(names.contains("bare_zip_p2/version") && names.contains("bare_zip_p2/data/0"))
        let byteorder = try archive.data(of: try XCTUnwrap(archive.entry(named: "bare_zip_p2/byteorder")))
        XCTAssertEqual(String(decoding: byteorder, as: UTF8.self), "little")
        for entry in archive.entries {
            let data = try archive.data(of: entry)
            XCTAssertEqual(data.startIndex % 64, 0, "\(entry.name) is aligned as torch writes it")
            XCTAssertEqual(CRC32.checksum(data), entry.crc32, entry.name)
        }
    }

    func testZip64FieldsAndEndRecords() throws {
        // One stored entry whose central-directory sizes and offset live in a zip64 extra field,
        // with a ZIP64 end record whose classic counterpart holds only 0xFFFF / 0xFFFFFFFF.
        let name = Array("a/data.pkl".utf8), payload = Array("hello".utf8)
        var bytes = le(0x0403_4B50, 4) + le(45, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(0, 4)
        bytes += le(0xFFFF_FFFF, 4) + le(0xFFFF_FFFF, 4) + le(name.count, 2) + le(20, 2) + name
        bytes += le(1, 2) + le(16, 2) + le(payload.count, 8) + le(payload.count, 8) + payload
        let directoryOffset = bytes.count
        bytes += le(0x0201_4B50, 4) + le(45, 2) + le(45, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(Int(CRC32.checksum(payload)), 4)
        bytes += le(0xFFFF_FFFF, 4) + le(0xFFFF_FFFF, 4) + le(name.count, 2) + le(28, 2) + le(0, 2) + le(0, 2) + le(0, 2) + le(0, 4)
        bytes += le(0xFFFF_FFFF, 4) + name + le(1, 2) + le(24, 2) + le(payload.count, 8) + le(payload.count, 8) + le(0, 8)
        let directorySize = bytes.count - directoryOffset, zip64Offset = bytes.count
        bytes += le(0x0606_4B50, 4) + le(44, 8) + le(45, 2) + le(45, 2) + le(0, 4) + le(0, 4) + le(1, 8) + le(1, 8)
        bytes += le(directorySize, 8) + le(directoryOffset, 8)
        bytes += le(0x0706_4B50, 4) + le(0, 4) + le(zip64Offset, 8) + le(1, 4)
        bytes += le(0x0605_4B50, 4) + le(0, 4) + le(0xFFFF, 2) + le(0xFFFF, 2) + le(0xFFFF_FFFF, 4) + le(0xFFFF_FFFF, 4) + le(0, 2)
        let archive = try ZipArchive(bytes: bytes, path: "z64.zip")
        let entry = try XCTUnwrap(archive.entry(named: "a/data.pkl"))
        XCTAssertEqual(entry.uncompressedSize, 5)
        XCTAssertEqual(Array(try archive.data(of: entry)), payload)
    }

    func testDeflatedEntriesAreUnsupportedByName() throws {
        var writer = ZipWriter()
        writer.add("a/x", Array("data".utf8))
        var bytes = writer.finish()
        let directory = try XCTUnwrap(firstOffset(of: 0x0201_4B50, in: bytes))
        bytes[directory + 10] = 8
        let archive = try ZipArchive(bytes: bytes, path: "d.zip")
        XCTAssertThrowsError(try archive.data(of: archive.entries[0])) {
            XCTAssertTrue("\($0)".hasPrefix("d.zip: unsupported: zip entry 'a/x' is deflate-compressed"), "\($0)")
        }
    }

    func testCorruptDirectoriesThrowMalformed() throws {
        var writer = ZipWriter()
        writer.add("a/x", Array("data".utf8))
        let good = writer.finish()
        let directory = try XCTUnwrap(firstOffset(of: 0x0201_4B50, in: good))
        let zip64 = try XCTUnwrap(firstOffset(of: 0x0606_4B50, in: good))
        let cases: [(String, Int, [UInt8])] = [
            ("size beyond the file", directory + 24, [0xFF, 0xFF, 0xFF, 0x7F]),
            ("local header offset wrong", directory + 42, [0x05, 0, 0, 0]),
            ("local header offset beyond the file", directory + 42, [0xFF, 0xFF, 0xFF, 0x7F]),
            ("entry count too large", zip64 + 32, [0xFF, 0xFF, 0xFF, 0xFF]),
            ("directory offset beyond the file", zip64 + 48, [0xFF, 0xFF, 0xFF, 0x00]),
            ("no directory signature", directory, [0, 0, 0, 0]),
        ]
        for (label, offset, patch) in cases {
            var bytes = good
            bytes.replaceSubrange(offset..<(offset + patch.count), with: patch)
            XCTAssertThrowsError(try readEverything(bytes), label) { error in
                guard case NNError.malformed(let path, _) = error else { return XCTFail("\(label): \(error)") }
                XCTAssertEqual(path, "c.zip")
            }
        }
    }

    private func readEverything(_ bytes: [UInt8]) throws {
        let archive = try ZipArchive(bytes: bytes, path: "c.zip")
        for entry in archive.entries { _ = try archive.data(of: entry) }
    }

    private func le(_ value: Int, _ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    private func firstOffset(of signature: UInt32, in bytes: [UInt8]) -> Int? {
        (0..<(bytes.count - 3)).first { i in (0..<4).allSatisfy { bytes[i + $0] == UInt8(truncatingIfNeeded: signature >> (8 * UInt32($0))) } }
    }

    func testDuplicateNamesAndNULBytesAreRefusedOtherOddNamesAreOnlyNames() throws {
        var duplicate = ZipWriter()
        duplicate.add("a/data.pkl", [1])
        duplicate.add("a/version", [2])
        duplicate.add("a/data.pkl", [3])
        XCTAssertThrowsError(try ZipArchive(bytes: duplicate.finish(), path: "d.pt")) {
            XCTAssertEqual("\($0)", "d.pt: malformed: zip holds two entries named 'a/data.pkl'; a zip checkpoint names each record once (torch refuses it too)")
        }
        var nul = ZipWriter()
        nul.add("a/data.pkl\u{0}.txt", [1])
        XCTAssertThrowsError(try ZipArchive(bytes: nul.finish(), path: "n.pt")) { XCTAssertTrue("\($0)".contains("holds a NUL byte"), "\($0)") }
        // Never used as paths: read as the names they are.
        var odd = ZipWriter()
        for name in ["../../etc/passwd", "/abs/data.pkl", "a\\b", ""] { odd.add(name, Array(name.utf8)) }
        let archive = try ZipArchive(bytes: odd.finish(), path: "o.zip")
        for entry in archive.entries { XCTAssertEqual(Array(try archive.data(of: entry)), Array(entry.name.utf8)) }
    }
}
