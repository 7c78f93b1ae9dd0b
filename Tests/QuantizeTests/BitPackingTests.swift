import XCTest
@testable import Quantize
import NN

/// Tests BitPacking.swift: the byte layout (little-endian bit stream) and round trips.
final class BitPackingTests: XCTestCase {
    func testByteLayout() {
        XCTAssertEqual(BitPacking.pack([1, 2, 255], bits: 8), [0x01, 0x02, 0xFF])
        // 4 bits: low nibble first; an odd count leaves the last high nibble zero
        XCTAssertEqual(BitPacking.pack([0x1, 0x2, 0xF], bits: 4), [0x21, 0x0F])
        // 2 bits: four codes per byte, first in bits 0-1
        XCTAssertEqual(BitPacking.pack([1, 2, 3, 0, 3], bits: 2), [0b00_11_10_01, 0b11])
        // 3 bits: 5 = 101 in bits 0-2, 3 = 011 in 3-5, 7 = 111 in 6-8 (crosses the byte), 1 = 001 in 9-11
        XCTAssertEqual(BitPacking.pack([5, 3, 7, 1], bits: 3), [0b11_011_101, 0b0011])
        // 7 bits: 0x7F then 0x01 → bits 0-6 all set, bit 7 = low bit of the second code
        XCTAssertEqual(BitPacking.pack([0x7F, 0x01], bits: 7), [0xFF, 0x00])
    }

    func testByteCountIsCeilingOfTotalBits() {
        XCTAssertEqual(BitPacking.byteCount(codes: 0, bits: 4), 0)
        XCTAssertEqual(BitPacking.byteCount(codes: 3, bits: 4), 2)
        XCTAssertEqual(BitPacking.byteCount(codes: 8, bits: 3), 3)
        XCTAssertEqual(BitPacking.byteCount(codes: 9, bits: 3), 4)
        XCTAssertEqual(BitPacking.byteCount(codes: 36864, bits: 8), 36864)
    }

    func testRoundTripsEveryBitWidth() {
        var generator = SplitMix64(seed: 7)
        for bits in 2...8 {
            for count in [0, 1, 7, 8, 9, 1001] {
                let codes = (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) & UInt8((1 << bits) - 1) }
                let packed = BitPacking.pack(codes, bits: bits)
                XCTAssertEqual(packed.count, BitPacking.byteCount(codes: count, bits: bits), "\(bits) bits, \(count) codes")
                XCTAssertEqual(BitPacking.unpack(packed[...], bits: bits, count: count), codes, "\(bits) bits, \(count) codes")
            }
        }
    }

    func testUnpacksFromASliceAtAnOffset() {
        let bytes: [UInt8] = [0xAA, 0x21, 0x0F, 0xBB]
        XCTAssertEqual(BitPacking.unpack(bytes[1..<3], bits: 4, count: 3), [1, 2, 15])
    }
}
