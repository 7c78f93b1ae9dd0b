import XCTest
@testable import NNTorchIO

final class CRC32Tests: XCTestCase {
    func testKnownValues() {
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(CRC32.checksum([UInt8]()), 0)
        XCTAssertEqual(CRC32.checksum(Array("little".utf8)), 0x19E3_3D85) // zlib.crc32(b"little")
    }
}
