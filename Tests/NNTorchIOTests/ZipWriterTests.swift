import XCTest
@testable import NNTorchIO

final class ZipWriterTests: XCTestCase {
    func testEntriesAreStoredAlignedAndChecksummed() throws {
        var writer = ZipWriter()
        let contents: [(String, [UInt8])] = [("ck/data.pkl", Array(repeating: 7, count: 100)), ("ck/version", Array("3\n".utf8)),
                                              ("ck/data/0", []), ("ck/a-much-longer-record-name/x", Array(0...255))]
        for (name, data) in contents { writer.add(name, data) }
        let bytes = writer.finish()
        let archive = try ZipArchive(bytes: bytes, path: "w.zip")
        XCTAssertEqual(archive.entries.map(\.name), contents.map(\.0))
        for (entry, (_, data)) in zip(archive.entries, contents) {
            let stored = try archive.data(of: entry)
            XCTAssertEqual(Array(stored), data)
            XCTAssertEqual(stored.startIndex % ZipWriter.alignment, 0, entry.name)
            XCTAssertEqual(entry.crc32, CRC32.checksum(data))
            XCTAssertEqual(entry.method, 0)
        }
        // The classic end record closes the file, preceded by the ZIP64 locator.
        XCTAssertEqual(Array(bytes[(bytes.count - 22)..<(bytes.count - 18)]), [0x50, 0x4B, 0x05, 0x06])
        XCTAssertEqual(Array(bytes[(bytes.count - 42)..<(bytes.count - 38)]), [0x50, 0x4B, 0x06, 0x07])
    }
}
