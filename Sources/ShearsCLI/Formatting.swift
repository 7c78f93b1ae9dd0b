// Formatting: the small text helpers every command prints with: thousands separators,
// aligned columns (cells with control characters escaped), JSON output.

import Foundation
import ShearsKit

/// `1234567` → `"1,234,567"` (Report's formatter, so tables and terminal agree).
func grouped(_ value: Int) -> String { groupedDigits(value) }

/// Rows as space-padded columns with a rule under the header; `rightAligned` column indices.
/// Cells may hold names from input (keys, layers, files): their control characters are escaped,
/// so a row stays one line and cannot drive the terminal.
func renderColumns(_ rows: [[String]], rightAligned: Set<Int> = []) -> String {
    let rows = rows.map { $0.map(\.escapingControlCharacters) }
    guard let header = rows.first else { return "" }
    let widths = header.indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
    func line(_ row: [String]) -> String {
        row.enumerated().map { c, cell in
            let pad = String(repeating: " ", count: widths[c] - cell.count)
            return rightAligned.contains(c) ? pad + cell : cell + pad
        }.joined(separator: "  ")
    }
    let rule = String(repeating: "-", count: widths.reduce(0, +) + 2 * (widths.count - 1))
    return ([line(header), rule] + rows.dropFirst().map(line)).joined(separator: "\n")
}

/// Prints `object` as one line of JSON on stdout (keys sorted, for stable output).
func printJSON(_ object: Any) throws {
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    print(String(decoding: data, as: UTF8.self))
}
