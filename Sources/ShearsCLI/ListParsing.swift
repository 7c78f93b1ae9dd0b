// ListParsing: the number syntaxes of the options, parsed strictly: "0.3,0.6,0.9" and
// "0:0.9:0.1" (start, stop inclusive, step) for fractions, "1,32" for counts, "3x224x224" for
// input sizes. Every number must be finite and in range, and a list's length (a range's point
// count, computed in Double before one point is made) is capped, so no flag can trap, hang or
// ask for unbounded memory.

import ArgumentParser
import Foundation
import ShearsKit

/// Fractions from "a,b,c" or "start:stop:step", each in [0, 1]; at most `limit.maxPoints`.
///
/// A range holds start + i·step for i = 0 … ⌊(stop − start) / step + 1e-9⌋ (stop included when
/// it lies on the grid), each rounded to 9 decimals.
func parseRatios(_ text: String, name: String, limit: PointOptions) throws -> [Double] {
    if text.contains(":") {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(parseDecimal)
        guard parts.count == 3, let start = parts[0], let stop = parts[1], let step = parts[2] else {
            throw ValidationError("\(name) range must be start:stop:step (three finite decimal numbers), got '\(text)'")
        }
        guard (0...1).contains(start), (0...1).contains(stop), start <= stop else {
            throw ValidationError("\(name) range must have 0 <= start <= stop <= 1, got '\(text)'")
        }
        guard step > 0 else { throw ValidationError("\(name) range needs a step > 0, got '\(text)'") }
        let last = ((stop - start) / step + 1e-9).rounded(.down)
        try limit.check(last + 1, of: "\(name) '\(text)'")
        return (0...Int(last)).map { ((start + Double($0) * step) * 1e9).rounded() / 1e9 }
    }
    let parts = text.split(separator: ",", omittingEmptySubsequences: false)
    try limit.check(Double(parts.count), of: "\(name) '\(text)'")
    let values = parts.map(parseDecimal)
    guard values.allSatisfy({ $0 != nil }) else { throw ValidationError("\(name) must be numbers like 0.3,0.6,0.9, got '\(text)'") }
    let fractions = values.compactMap { $0 }
    guard fractions.allSatisfy({ (0...1).contains($0) }) else { throw ValidationError("\(name) values must lie in [0, 1], got '\(text)'") }
    return fractions
}

/// Integers in `range` from "1,32" (spaces around an entry allowed); at most `limit.maxPoints` of them.
func parseIntegers(_ text: String, name: String, in range: ClosedRange<Int>, limit: PointOptions) throws -> [Int] {
    let parts = text.split(separator: ",", omittingEmptySubsequences: false)
    try limit.check(Double(parts.count), of: "\(name) '\(text)'")
    let values = parts.map { parseCount($0.trimmingCharacters(in: .whitespaces)) }
    guard values.allSatisfy({ $0.map(range.contains) ?? false }) else {
        throw ValidationError("\(name) must be integers from \(range.lowerBound) to \(range.upperBound) like \(range.lowerBound),\(range.upperBound), got '\(text)'")
    }
    return values.compactMap { $0 }
}

/// The largest C, H or W `--input` takes (2^20): larger sides are refused before any
/// product of them can overflow.
let maximumInputSide = 1 << 20

/// "3x224x224" → [3, 224, 224]: exactly three positive decimal integers joined by `x`, each at
/// most 2^20, whose float32 image (C·H·W·4 bytes) fits the memory budget.
/// The input size when neither `--input` nor the model file gives one.
let defaultInputShape = [3, 224, 224]

func parseInputShape(_ text: String) throws -> [Int] {
    let parts = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "x" || $0 == "X" }).map(parseCount)
    guard parts.count == 3, parts.allSatisfy({ ($0 ?? 0) >= 1 }) else {
        throw ValidationError("--input must be CxHxW, three positive integers like 3x224x224, got '\(text)'")
    }
    let shape = parts.compactMap { $0 }
    guard shape.allSatisfy({ $0 <= maximumInputSide }) else {
        throw ValidationError("--input sides must be at most \(maximumInputSide), got '\(text)'")
    }
    do {
        try MemoryBudget.check(elements: shape.checkedProduct ?? -1, of: 4, for: "one \(text) float32 image", path: "--input")
    } catch {
        throw FlaggedError(error: error)  // from validate(): ArgumentParser prints the description
    }
    return shape
}

/// A non-negative decimal integer: ASCII digits only (no sign, space or exponent); nil when
/// malformed or past `Int.max`.
func parseCount<S: StringProtocol>(_ text: S) -> Int? {
    guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
    return Int(text)
}

/// A finite decimal number ("0.5", "-1", "2e-3", surrounding spaces allowed): no `inf`, `nan`,
/// hex or overflow (1e400).
func parseDecimal<S: StringProtocol>(_ text: S) -> Double? {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    guard !trimmed.isEmpty, trimmed.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || "+-.eE".utf8.contains($0) }),
          let value = Double(trimmed), value.isFinite else { return nil }
    return value
}

/// Throws unless `path`, an output folder given with `flag`, names something: an empty
/// `--out ""` would otherwise write into the root folder.
func requireFolderName(_ path: String, flag: String) throws {
    guard !path.trimmingCharacters(in: .whitespaces).isEmpty else {
        throw ValidationError("\(flag) must name a folder, got '\(path)'")
    }
}
