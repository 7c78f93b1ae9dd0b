// GnuplotChecker: what a chart's gnuplot files must never hold, found by lexing their bytes
// the way gnuplot's scanner does (scanner.c: inside single quotes, `''` after another
// character is a quote; a leading `''` is an empty string). Script: no control character;
// every single-quoted string ends on its line; outside single quotes no double quote,
// backquote (command substitution), `@` (macro), `;` (a second command), `#` after the start
// of a line or non-ASCII byte, and never the word `system`; every command is set, unset, plot
// or replot; a comment never ends in `\` (it would swallow the next line); the files of `set
// output` and `plot` are plain names in the chart's folder (never `<cmd` or `|cmd`,
// gnuplot's pipes); title, labels and series titles read back as the chart's strings
// (control characters escaped, zero-width spaces aside). Data: no control character, and
// every line after the header blank, a comment, or two numbers, as many as the chart has
// points. A violation is a `fatalError`: a finding.

import NN
import Report

enum GnuplotChecker {
    /// A piece of a script line outside strings: a word (ASCII letters, digits, `_`, `.`), a
    /// single-quoted string's bytes as gnuplot reads them (`''` as `'`), or another byte.
    enum Token: Equatable {
        case word(String), string([UInt8]), symbol(UInt8)
    }

    static func fail(_ what: String, _ line: ArraySlice<UInt8>, _ text: String) -> Never {
        fatalError("gnuplot \(what) on line '\(String(decoding: line, as: UTF8.self))' of:\n\(text)")
    }

    /// The lines of `text`, which must end with a newline.
    static func lines(_ text: String) -> [ArraySlice<UInt8>] {
        let bytes = Array(text.utf8)
        guard bytes.last == UInt8(ascii: "\n") else { fail("text without a final newline", [], text) }
        return bytes.dropLast().split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
    }

    static func checkScript(_ script: String, _ chart: Chart) {
        var statement: [Token] = []
        var continuing = false
        var plotted = 0
        for line in lines(script) {
            if hasControl(line) { fail("control character", line, script) }
            let comment = !continuing && line.first == UInt8(ascii: "#")
            var tokens = lex(comment ? line.dropFirst() : line, script)
            if comment {
                if line.last == UInt8(ascii: "\\") { fail("comment ending in a backslash", line, script) }
                continue
            }
            continuing = tokens.last == .symbol(UInt8(ascii: "\\"))
            if continuing { tokens.removeLast() }
            statement += tokens
            if continuing { continue }
            plotted += checkStatement(statement, line, chart, script)
            statement = []
        }
        if continuing { fail("script ending in a continuation", [], script) }
        if plotted != chart.series.count { fail("\(plotted) plotted series for \(chart.series.count)", [], script) }
    }

    /// The tokens of `line`; fails on an unterminated string or a byte gnuplot would expand,
    /// split on or take as a comment.
    static func lex(_ line: ArraySlice<UInt8>, _ script: String) -> [Token] {
        let quote = UInt8(ascii: "'")
        func isWordByte(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == UInt8(ascii: "_") || b == UInt8(ascii: ".")
        }
        var tokens: [Token] = []
        var i = line.startIndex
        while i < line.endIndex {
            let b = line[i]
            if b == quote {
                var text: [UInt8] = []
                var j = i + 1
                while true {
                    guard j < line.endIndex else { fail("unterminated string", line, script) }
                    if line[j] == quote { break }
                    if j + 2 < line.endIndex && line[j + 1] == quote && line[j + 2] == quote {
                        text += [line[j], quote]
                        j += 3
                    } else {
                        text.append(line[j])
                        j += 1
                    }
                }
                tokens.append(.string(text))
                i = j + 1
            } else if isWordByte(b) {
                var j = i
                while j < line.endIndex && isWordByte(line[j]) { j += 1 }
                let word = line[i..<j]
                if word.indices.contains(where: { k in k + 6 <= j && zip(word[k..<k + 6], systemBytes).allSatisfy { $0 | 0x20 == $1 } }) {
                    fail("the word system outside strings", line, script)
                }
                tokens.append(.word(String(decoding: word, as: UTF8.self)))
                i = j
            } else {
                if "\"`@;#".utf8.contains(b) || b >= 0x80 { fail("'\(UnicodeScalar(b))' outside single quotes", line, script) }
                if b != UInt8(ascii: " ") { tokens.append(.symbol(b)) }
                i += 1
            }
        }
        return tokens
    }

    /// Checks one command; returns the number of series it plots.
    static func checkStatement(_ tokens: [Token], _ line: ArraySlice<UInt8>, _ chart: Chart, _ script: String) -> Int {
        guard case .word(let command) = tokens.first, ["set", "unset", "plot", "replot"].contains(command) else {
            fail("a command other than set, unset, plot or replot", line, script)
        }
        let labels: [String: String?] = ["title": chart.title, "xlabel": chart.xLabel, "ylabel": chart.yLabel, "y2label": chart.y2Label]
        if command == "set", tokens.count > 1, case .word(let what) = tokens[1] {
            if what == "output" {
                guard tokens.count == 3, case .string(let file) = tokens[2] else { fail("set output without one file name", line, script) }
                checkFileName(file, line, script)
            } else if let expected = labels[what] {
                guard tokens.count == 3, case .string(let text) = tokens[2], readsBack(text, expected ?? "") else {
                    fail("\(what) that does not read back as the chart's", line, script)
                }
            }
        }
        guard command == "plot" else { return 0 }
        let clauses = tokens.dropFirst().split(separator: .symbol(UInt8(ascii: ",")), omittingEmptySubsequences: false)
        guard clauses.count <= chart.series.count else { fail("more plot clauses than series", line, script) }
        for (i, clause) in clauses.enumerated() {
            guard case .string(let file) = clause.first else { fail("plot clause without a file name", line, script) }
            checkFileName(file, line, script)
            guard clause.count >= 2, clause[clause.endIndex - 2] == .word("title"), case .string(let title) = clause.last,
                  readsBack(title, chart.series[i].title) else {
                fail("series title that does not read back as the chart's", line, script)
            }
        }
        return clauses.count
    }

    /// Whether a string's bytes are `expected` with control characters escaped, zero-width
    /// spaces (which the writer puts before some quotes) removed from both.
    static func readsBack(_ text: [UInt8], _ expected: String) -> Bool {
        func plain(_ bytes: [UInt8]) -> [UInt8] {
            var out: [UInt8] = []
            for b in bytes {
                out.append(b)
                let n = out.count
                if n >= 3 && out[n - 3] == 0xE2 && out[n - 2] == 0x80 && out[n - 1] == 0x8B { out.removeLast(3) }
            }
            return out
        }
        return plain(text) == plain(Array(expected.escapingControlCharacters.utf8))
    }

    /// A file the script reads or writes: ASCII letters, digits, `-`, `_`, `.`, not starting with `-`.
    static func checkFileName(_ file: [UInt8], _ line: ArraySlice<UInt8>, _ script: String) {
        guard let first = file.first, first != UInt8(ascii: "-"), file.allSatisfy(fileNameBytes.contains) else {
            fail("file name '\(String(decoding: file, as: UTF8.self))' that is not a plain name in the chart's folder", line, script)
        }
    }

    static let fileNameBytes = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.".utf8)
    static let numberBytes = Set("0123456789.-+eNa".utf8)
    static let systemBytes = Array("system".utf8)

    static func checkData(_ data: String, _ chart: Chart) {
        let lines = lines(data)
        for line in lines where hasControl(line) { fail("control character in data", line, data) }
        let header = lines.prefix { $0.first == UInt8(ascii: "#") }
        if header.count < 2 { fail("data without its header", [], data) }
        var rows = 0
        for line in lines.dropFirst(header.count) where !line.isEmpty && line.first != UInt8(ascii: "#") {
            let fields = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
            guard fields.count == 2, fields.allSatisfy({ $0.allSatisfy(numberBytes.contains) && Double(String(decoding: $0, as: UTF8.self)) != nil }) else {
                fail("data row that is not two numbers", line, data)
            }
            rows += 1
        }
        if rows != chart.series.reduce(0, { $0 + $1.points.count }) { fail("\(rows) data rows", [], data) }
    }

    /// Whether the line holds a C0 or C1 control, DEL, a line or paragraph separator, or a
    /// bidi embedding, override or isolate.
    static func hasControl(_ line: ArraySlice<UInt8>) -> Bool {
        String(decoding: line, as: UTF8.self).unicodeScalars.contains { scalar in
            switch scalar.value {
            case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: return true
            default: return false
            }
        }
    }
}
