// BitPacking: b-bit codes (2 ≤ b ≤ 8) packed as a little-endian bit stream, the byte
// layout of the blob's "data" for uint8 tensors. Code i occupies stream bits
// [i·b, i·b + b), least significant bit first; stream bit k is bit (k mod 8) of byte k/8.
// So 8 bits is one code per byte, 4 bits two codes per byte (low nibble first), 2 bits
// four per byte (bits 0-1 first). Unused high bits of the last byte are zero.
// It knows nothing of ranges or tensors.

/// Packs and unpacks b-bit codes.
public enum BitPacking {
    /// Bytes needed for `count` codes of `bits` bits: `ceil(count · bits / 8)` (`count <= Int.max / 8`).
    public static func byteCount(codes count: Int, bits: Int) -> Int {
        (count * bits + 7) / 8
    }

    /// Packs codes (each < 2^bits) into a little-endian bit stream.
    public static func pack(_ codes: [UInt8], bits: Int) -> [UInt8] {
        if bits == 8 { return codes }
        var out = [UInt8]()
        out.reserveCapacity(byteCount(codes: codes.count, bits: bits))
        var accumulator: UInt32 = 0
        var filled = 0
        for code in codes {
            accumulator |= UInt32(code) << UInt32(filled)
            filled += bits
            while filled >= 8 {
                out.append(UInt8(truncatingIfNeeded: accumulator))
                accumulator >>= 8
                filled -= 8
            }
        }
        if filled > 0 { out.append(UInt8(truncatingIfNeeded: accumulator)) }
        return out
    }

    /// Unpacks `count` codes of `bits` bits; `bytes` holds at least `byteCount(codes: count, bits:)` bytes.
    public static func unpack(_ bytes: ArraySlice<UInt8>, bits: Int, count: Int) -> [UInt8] {
        if bits == 8 { return Array(bytes.prefix(count)) }
        var codes = [UInt8]()
        codes.reserveCapacity(count)
        let mask = UInt32((1 << bits) - 1)
        var accumulator: UInt32 = 0
        var filled = 0
        var index = bytes.startIndex
        while codes.count < count {
            if filled < bits {
                accumulator |= UInt32(bytes[index]) << UInt32(filled)
                index += 1
                filled += 8
            }
            codes.append(UInt8(accumulator & mask))
            accumulator >>= UInt32(bits)
            filled -= bits
        }
        return codes
    }
}
