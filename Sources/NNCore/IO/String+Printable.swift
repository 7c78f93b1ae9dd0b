// String+Printable: text from untrusted input (a state-dict key, a file name, a model label)
// made safe to print on a terminal or put in a chart: control characters (C0, DEL, C1) and
// Unicode's invisible direction overrides are shown as escapes, so a key holding a newline
// and ANSI codes stays on one line and cannot repaint the terminal.

extension String {
    /// The string with every control character written as an escape: `\n`, `\r`, `\t`, and
    /// `\u{1B}`-style for the rest (C0, DEL, C1, U+2028/2029, bidi overrides and isolates).
    public var escapingControlCharacters: String {
        guard unicodeScalars.contains(where: Self.isControl) else { return self }
        var result = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where Self.isControl(scalar): result += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// C0 and C1 controls, DEL, line and paragraph separators, bidi embeddings, overrides and isolates.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }
}
