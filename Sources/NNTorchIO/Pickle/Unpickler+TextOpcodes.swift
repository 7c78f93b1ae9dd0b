// Unpickler+TextOpcodes: decoding the text payloads of protocol 0 opcodes (UNICODE's
// raw-unicode-escape and STRING's quoted repr). Only old Python 2 era files use them.

import NNCore

extension Unpickler {
    /// UNICODE: bytes are Latin-1 code points, except `\uXXXX` and `\UXXXXXXXX` escapes.
    static func rawUnicodeEscape(_ line: ArraySlice<UInt8>) throws -> String {
        var scalars = String.UnicodeScalarView()
        var i = line.startIndex
        while i < line.endIndex {
            let byte = line[i]
            let next = i + 1 < line.endIndex ? line[i + 1] : 0
            if byte == UInt8(ascii: "\\"), next == UInt8(ascii: "u") || next == UInt8(ascii: "U") {
                let digits = next == UInt8(ascii: "u") ? 4 : 8
                guard i + 2 + digits <= line.endIndex,
                      let code = UInt32(String(decoding: line[(i + 2)..<(i + 2 + digits)], as: UTF8.self), radix: 16),
                      let scalar = Unicode.Scalar(code) else {
                    throw PickleFailure(.malformed, "bad \\u escape in UNICODE")
                }
                scalars.append(scalar)
                i += 2 + digits
            } else {
                scalars.append(Unicode.Scalar(byte))
                i += 1
            }
        }
        return String(scalars)
    }

    /// STRING: a Python 2 `repr` in single or double quotes, with backslash escapes.
    static func quotedString(_ line: ArraySlice<UInt8>) throws -> ArraySlice<UInt8> {
        var text = line
        if text.last == UInt8(ascii: "\r") { text = text.dropLast() }
        guard text.count >= 2, let quote = text.first, quote == text.last,
              quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\"") else {
            throw PickleFailure(.malformed, "STRING argument is not quoted")
        }
        let body = text.dropFirst().dropLast()
        var out: [UInt8] = []
        var i = body.startIndex
        while i < body.endIndex {
            guard body[i] == UInt8(ascii: "\\"), i + 1 < body.endIndex else {
                out.append(body[i]); i += 1; continue
            }
            let escape = body[i + 1]
            i += 2
            switch escape {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "a"): out.append(0x07)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "v"): out.append(0x0B)
            case UInt8(ascii: "x"):
                guard i + 2 <= body.endIndex, let value = UInt8(String(decoding: body[i..<(i + 2)], as: UTF8.self), radix: 16) else {
                    throw PickleFailure(.malformed, "bad \\x escape in STRING")
                }
                out.append(value); i += 2
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var value = Int(escape - UInt8(ascii: "0"))
                var digits = 1
                while digits < 3, i < body.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(body[i]) {
                    value = value * 8 + Int(body[i] - UInt8(ascii: "0")); i += 1; digits += 1
                }
                out.append(UInt8(truncatingIfNeeded: value))
            case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""): out.append(escape)
            default: out += [UInt8(ascii: "\\"), escape] // unknown escapes stay as written
            }
        }
        return out[...]
    }
}
