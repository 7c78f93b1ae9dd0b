// ListParsing: the list syntaxes of the sweep options: "0.3,0.6,0.9", "0:0.9:0.1" (start,
// stop inclusive, step) and "1,32".

import ArgumentParser

/// Ratios from "a,b,c" or "start:stop:step" (stop included when it lies on the grid).
func parseRatios(_ text: String, name: String) throws -> [Double] {
    let values: [Double]
    if text.contains(":") {
        let parts = text.split(separator: ":").map { Double($0) }
        guard parts.count == 3, let start = parts[0], let stop = parts[1], let step = parts[2], step > 0, stop >= start else {
            throw ValidationError("\(name) range must be start:stop:step with step > 0, got '\(text)'")
        }
        let count = Int(((stop - start) / step + 1e-9).rounded(.down))
        values = (0...count).map { ((start + Double($0) * step) * 1e9).rounded() / 1e9 }
    } else {
        let parsed = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !parsed.isEmpty, parsed.allSatisfy({ $0 != nil }) else { throw ValidationError("\(name) must be numbers like 0.3,0.6,0.9, got '\(text)'") }
        values = parsed.map { $0! }
    }
    guard values.allSatisfy({ (0...1).contains($0) }) else { throw ValidationError("\(name) values must lie in [0, 1], got '\(text)'") }
    return values
}

/// Positive integers from "1,32".
func parseIntegers(_ text: String, name: String) throws -> [Int] {
    let parsed = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard !parsed.isEmpty, parsed.allSatisfy({ ($0 ?? 0) >= 1 }) else { throw ValidationError("\(name) must be positive integers like 1,32, got '\(text)'") }
    return parsed.map { $0! }
}
