// ModuleTreeText: reads the text `print(model)` writes (nn.Module.__repr__) back into a
// ModuleTree. The grammar, one module per line, children indented by two spaces:
//
//     Root(                                      a module with children opens a block …
//       (name): Class(args)                      … a leaf has its extra_repr() on one line
//       (name): Container(                       … a nested block
//         …
//       )                                        … closed by a lone ")"
//     )
//
// args are extra_repr()'s `value, key=value, …` list: ints, floats, True/False/None,
// 'strings', bare words (StochasticDepth's `mode=row`, read as strings) and (tuples).
// Leading positional values are named per class (Conv2d's in/out_channels, BatchNorm2d's
// num_features, LayerNorm's and LayerNorm2d's normalized_shape). Child names are any text up
// to `): ` (RegNet's `block1-0`); a run of equal modules that ModuleList's repr collapses
// (`(0-2): 3 x Conv2d(...)`) is refused: it hides each one's name. Nothing is evaluated;
// anything else is an error naming the file and line.
//
// The text is untrusted: it is read in one pass over its bytes (each line once, each value
// once: linear time), modules nest through an explicit stack and values through recursion,
// both at most `ModuleTree.maximumDepth` deep, and a text holds at most
// `ModuleTree.maximumNodes` modules. Class names and keys are ASCII identifiers.

import NNCore

/// Parses `print(model)` output.
public enum ModuleTreeText {
    /// Names of the positional values in a class's extra_repr().
    static let positionalNames: [String: [String]] = [
        "Conv2d": ["in_channels", "out_channels"], "BatchNorm2d": ["num_features"],
        "Linear": ["in_features", "out_features"], "LayerNorm": ["normalized_shape"], "LayerNorm2d": ["normalized_shape"],
    ]

    /// The tree in the text file at `path` (a regular file, its size within the memory budget).
    public static func load(path: String) throws -> ModuleTree {
        let bytes = try InputFile.read(path)
        guard let text = String(validating: bytes, as: UTF8.self) else { throw NNError.malformed(path: path, reason: "not UTF-8 text") }
        return try parse(text, path: path)
    }

    /// The tree in `text` (the contents of `path`, named in errors).
    public static func parse(_ text: String, path: String) throws -> ModuleTree {
        let bytes = Array(text.utf8)
        var stack: [(name: String, module: ModuleTree)] = []
        var root: ModuleTree?
        var modules = 0
        var start = 0, number = 0
        while start <= bytes.count {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            number += 1
            var line = TextLine(bytes, start..<end, number: number, path: path)
            start = end + 1
            if line.isEmpty { continue }
            guard root == nil else { throw line.fail("text after the root module's closing ')'") }
            if line.range.count == 1, bytes[line.range.lowerBound] == UInt8(ascii: ")") {
                guard let (name, finished) = stack.popLast() else { throw line.fail("')' closes no module") }
                if stack.isEmpty { root = finished } else { stack[stack.count - 1].module.children.append(.init(name: name, module: finished)) }
                continue
            }
            modules += 1
            guard modules <= ModuleTree.maximumNodes else { throw line.fail("more than \(ModuleTree.maximumNodes) modules") }
            guard stack.count < ModuleTree.maximumDepth else { throw line.fail("modules nested more than \(ModuleTree.maximumDepth) deep") }
            let (name, className) = try line.moduleHead(isRoot: stack.isEmpty)
            if line.atEnd {
                stack.append((name, ModuleTree(className: className)))
                continue
            }
            let module = ModuleTree(className: className, attributes: try arguments(&line, className: className))
            if stack.isEmpty { root = module } else { stack[stack.count - 1].module.children.append(.init(name: name, module: module)) }
        }
        guard let root else {
            guard let open = stack.last else { throw NNError.malformed(path: path, reason: "no module in the text") }
            throw NNError.malformed(path: path, reason: "the text ends inside module '\(open.name)' (missing ')')")
        }
        return root
    }

    /// `extra_repr()`'s arguments up to the `)` that ends the line, as named attributes.
    private static func arguments(_ line: inout TextLine, className: String) throws -> [String: ModuleAttribute] {
        var attributes: [String: ModuleAttribute] = [:]
        var positional = 0
        while try line.nextItem() {
            let start = line.position
            if let key = line.key() {
                attributes[key] = try line.value(depth: 1)
            } else {
                let value = try line.value(depth: 1)
                let names = positionalNames[className] ?? []
                guard positional < names.count else {
                    throw line.fail("unexpected positional value '\(line.text(start..<line.position).prefix(40))' for \(className)")
                }
                attributes[names[positional]] = value
                positional += 1
            }
        }
        guard line.atEnd else { throw line.fail("unbalanced parentheses: text after the closing ')'") }
        return attributes
    }
}

/// One line of a module-tree text, trimmed of blanks, with a cursor.
struct TextLine {
    let bytes: [UInt8]
    /// The trimmed line.
    let range: Range<Int>
    let number: Int
    let path: String
    /// The next byte to read.
    var position: Int

    init(_ bytes: [UInt8], _ line: Range<Int>, number: Int, path: String) {
        var lower = line.lowerBound, upper = line.upperBound
        while lower < upper, Self.isBlank(bytes[lower]) { lower += 1 }
        while upper > lower, Self.isBlank(bytes[upper - 1]) { upper -= 1 }
        self.bytes = bytes
        self.range = lower..<upper
        self.number = number
        self.path = path
        self.position = lower
    }

    var isEmpty: Bool { range.isEmpty }
    var atEnd: Bool { position >= range.upperBound }
    /// The byte at the cursor, nil at the end of the line.
    var current: UInt8? { atEnd ? nil : bytes[position] }

    /// An error naming the file, the line number and the line's start.
    func fail(_ reason: String) -> NNError {
        .malformed(path: path, reason: "line \(number): \(reason): '\(text(range.lowerBound..<min(range.upperBound, range.lowerBound + 80)))'")
    }

    /// The bytes in `range` as text.
    func text(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }

    /// A module line's child name (after `(name): `, empty at the root) and class name, the
    /// cursor left after the class's `(`.
    mutating func moduleHead(isRoot: Bool) throws -> (name: String, className: String) {
        var name = ""
        if isRoot {
            guard let first = current, Self.isLetter(first) else { throw fail("expected the root module, like 'StudentNet('") }
        } else {
            let separator = Array("): ".utf8)
            guard current == UInt8(ascii: "("),
                  let close = (position..<range.upperBound).first(where: { $0 + 3 <= range.upperBound && bytes[$0...].starts(with: separator) }) else {
                throw fail("expected '(name): Class(...)'")
            }
            name = text((position + 1)..<close)
            position = close + 3
            var digits = position
            while digits < range.upperBound, (0x30...0x39).contains(bytes[digits]) { digits += 1 }
            if digits > position, bytes[digits..<range.upperBound].starts(with: Array(" x ".utf8)) {
                throw fail("a collapsed run of \(text(position..<digits)) equal modules ('\(name.prefix(40))'), which print(model) writes for a ModuleList and which hides their names; save the model with torch.export.save(torch.export.export(model, (x,)), 'model.pt2') or torch.save(model)")
            }
        }
        guard let open = bytes[position..<range.upperBound].firstIndex(of: UInt8(ascii: "(")), open > position else { throw fail("expected 'Class(' ") }
        let className = text(position..<open)
        guard bytes[position..<open].allSatisfy(Self.isIdentifier) else { throw fail("'\(className.prefix(40))' is not a class name") }
        position = open + 1
        return (name, className)
    }

    /// Moves to the next item of an argument list or tuple, skipping empty ones; false after
    /// its closing `)` (consumed).
    mutating func nextItem() throws -> Bool {
        while true {
            skipBlanks()
            switch current {
            case nil: throw fail("unbalanced parentheses")
            case UInt8(ascii: ")"): position += 1; return false
            case UInt8(ascii: ","): position += 1
            default: return true
            }
        }
    }

    /// `key=` at the cursor (consumed), or nil.
    mutating func key() -> String? {
        var end = position
        while end < range.upperBound, Self.isIdentifier(bytes[end]) { end += 1 }
        guard end > position, end < range.upperBound, bytes[end] == UInt8(ascii: "=") else { return nil }
        defer { position = end + 1 }
        return text(position..<end)
    }

    /// One literal at the cursor: True/False/None, an int, a float, a quoted string (no
    /// escapes), a bare word (an identifier, read as a string) or a tuple of literals; the
    /// cursor is left on the `,` or `)` after it.
    mutating func value(depth: Int) throws -> ModuleAttribute {
        guard depth <= ModuleTree.maximumDepth else { throw fail("values nested more than \(ModuleTree.maximumDepth) deep") }
        skipBlanks()
        let start = position
        let result: ModuleAttribute
        switch current {
        case UInt8(ascii: "("):
            position += 1
            var items: [ModuleAttribute] = []
            while try nextItem() { items.append(try value(depth: depth + 1)) }
            result = .tuple(items)
        case let quote? where quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\""):
            guard let close = bytes[(position + 1)..<range.upperBound].firstIndex(of: quote) else { throw fail("unbalanced quotes") }
            result = .string(text((position + 1)..<close))
            position = close + 1
        default:
            while let c = current, !Self.endsAtom(c) { position += 1 }
            var end = position
            while end > start, Self.isBlank(bytes[end - 1]) { end -= 1 }
            let atom = text(start..<end)
            switch atom {
            case "True": result = .bool(true)
            case "False": result = .bool(false)
            case "None": result = .null
            default:
                if let v = Int(atom) { result = .int(v) }
                else if let v = Double(atom), atom.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) || ["inf", "-inf", "nan"].contains(atom) { result = .float(v) }
                else if let first = atom.utf8.first, Self.isLetter(first) || first == UInt8(ascii: "_"), atom.utf8.allSatisfy(Self.isIdentifier) { result = .string(atom) }
                else { throw fail("cannot read the value '\(text(start..<min(position + 1, range.upperBound)).prefix(40))'") }
            }
        }
        skipBlanks()
        guard !atEnd else { throw fail("unbalanced parentheses") }
        guard current == UInt8(ascii: ",") || current == UInt8(ascii: ")") else {
            throw fail("cannot read the value '\(text(start..<min(position + 1, range.upperBound)).prefix(40))'")
        }
        return result
    }

    private mutating func skipBlanks() {
        while let c = current, Self.isBlank(c) { position += 1 }
    }

    static func isBlank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D }
    static func isLetter(_ c: UInt8) -> Bool { (0x41...0x5A).contains(c) || (0x61...0x7A).contains(c) }
    static func isIdentifier(_ c: UInt8) -> Bool { isLetter(c) || (0x30...0x39).contains(c) || c == UInt8(ascii: "_") }
    /// Bytes that end an unquoted literal.
    private static func endsAtom(_ c: UInt8) -> Bool {
        c == UInt8(ascii: ",") || c == UInt8(ascii: "(") || c == UInt8(ascii: ")") || c == UInt8(ascii: "'") || c == UInt8(ascii: "\"")
    }
}
