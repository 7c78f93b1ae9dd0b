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
// 'strings' and (tuples). Leading positional values are named per class (Conv2d's
// in/out_channels, BatchNorm2d's num_features). Nothing is evaluated; anything else is an
// error naming the file and line.

import NNCore
import Foundation

/// Parses `print(model)` output.
public enum ModuleTreeText {
    /// Names of the positional values in a class's extra_repr().
    static let positionalNames: [String: [String]] = [
        "Conv2d": ["in_channels", "out_channels"], "BatchNorm2d": ["num_features"],
        "Linear": ["in_features", "out_features"],
    ]

    /// The tree in the text file at `path`.
    public static func load(path: String) throws -> ModuleTree {
        guard let data = FileManager.default.contents(atPath: path) else { throw NNError.io(path: path, reason: "cannot read file") }
        guard let text = String(data: data, encoding: .utf8) else { throw NNError.malformed(path: path, reason: "not UTF-8 text") }
        return try parse(text, path: path)
    }

    /// The tree in `text` (the contents of `path`, named in errors).
    public static func parse(_ text: String, path: String) throws -> ModuleTree {
        var stack: [(name: String, module: ModuleTree)] = []
        var root: ModuleTree?
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            func fail(_ reason: String) -> NNError { .malformed(path: path, reason: "line \(number + 1): \(reason): '\(line.prefix(80))'") }
            if line.isEmpty { continue }
            guard root == nil else { throw fail("text after the root module's closing ')'") }
            if line == ")" {
                guard let (name, finished) = stack.popLast() else { throw fail("')' closes no module") }
                if stack.isEmpty { root = finished } else { stack[stack.count - 1].module.children.append(.init(name: name, module: finished)) }
                continue
            }
            var name = ""
            var rest = Substring(line)
            if stack.isEmpty {
                guard rest.first?.isLetter == true else { throw fail("expected the root module, like 'StudentNet('") }
            } else {
                guard rest.hasPrefix("("), let close = rest.range(of: "): ") else { throw fail("expected '(name): Class(...)'") }
                name = String(rest[rest.index(after: rest.startIndex)..<close.lowerBound])
                rest = rest[close.upperBound...]
                if name.contains("-") { throw fail("a collapsed run of repeated modules ('\(name)'); print the model with a ModuleList-free container or export ONNX") }
            }
            guard let open = rest.firstIndex(of: "("), open > rest.startIndex else { throw fail("expected 'Class(' ") }
            let className = String(rest[..<open])
            guard className.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { throw fail("'\(className)' is not a class name") }
            let body = rest[rest.index(after: open)...]
            if body.isEmpty {
                stack.append((name, ModuleTree(className: className)))
                continue
            }
            guard body.hasSuffix(")") else { throw fail("unbalanced parentheses") }
            let module = ModuleTree(className: className, attributes: try arguments(String(body.dropLast()), className: className, fail: fail))
            if stack.isEmpty { root = module } else { stack[stack.count - 1].module.children.append(.init(name: name, module: module)) }
        }
        guard let root else {
            throw NNError.malformed(path: path, reason: stack.isEmpty ? "no module in the text" : "the text ends inside module '\(stack.last!.name)' (missing ')')")
        }
        return root
    }

    /// `extra_repr()`'s arguments as named attributes.
    private static func arguments(_ text: String, className: String, fail: (String) -> NNError) throws -> [String: ModuleAttribute] {
        var attributes: [String: ModuleAttribute] = [:]
        var positional = 0
        for part in try splitTopLevel(Substring(text), fail: fail) where !part.isEmpty {
            if let equals = part.firstIndex(of: "="), part[..<equals].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
                attributes[String(part[..<equals])] = try value(part[part.index(after: equals)...], fail: fail)
            } else {
                let names = positionalNames[className] ?? []
                guard positional < names.count else { throw fail("unexpected positional value '\(part)' for \(className)") }
                attributes[names[positional]] = try value(part, fail: fail)
                positional += 1
            }
        }
        return attributes
    }

    /// Splits on commas outside parentheses and quotes, trimming each piece.
    private static func splitTopLevel(_ text: Substring, fail: (String) -> NNError) throws -> [Substring] {
        var parts: [Substring] = [], depth = 0, quote: Character?, start = text.startIndex
        for index in text.indices {
            let c = text[index]
            if let q = quote { if c == q { quote = nil }; continue }
            switch c {
            case "'", "\"": quote = c
            case "(": depth += 1
            case ")": depth -= 1; if depth < 0 { throw fail("unbalanced parentheses") }
            case "," where depth == 0:
                parts.append(text[start..<index]); start = text.index(after: index)
            default: break
            }
        }
        guard depth == 0, quote == nil else { throw fail("unbalanced parentheses or quotes") }
        parts.append(text[start...])
        return parts.map { Substring($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// One literal: True/False/None, an int, a float, a quoted string or a tuple of literals.
    private static func value(_ text: Substring, fail: (String) -> NNError) throws -> ModuleAttribute {
        let text = Substring(text.trimmingCharacters(in: .whitespaces))
        switch text {
        case "True": return .bool(true)
        case "False": return .bool(false)
        case "None": return .null
        default: break
        }
        if let v = Int(text) { return .int(v) }
        if let v = Double(text), text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) { return .float(v) }
        if text.count >= 2, let first = text.first, first == "'" || first == "\"", text.last == first {
            return .string(String(text.dropFirst().dropLast()))
        }
        if text.hasPrefix("("), text.hasSuffix(")") {
            let items = try splitTopLevel(text.dropFirst().dropLast(), fail: fail).filter { !$0.isEmpty }
            return .tuple(try items.map { try value($0, fail: fail) })
        }
        throw fail("cannot read the value '\(text)'")
    }
}
