// ResultsFile: reads one or more results.jsonl files into records, merged. A malformed
// line is an error naming the file and line, except a last line without its newline: that
// is what a killed writer leaves behind, and it is ignored (the point is measured again).

import Foundation

/// Reading and merging JSON-lines result files.
public enum ResultsFile {
    /// Records of every file in order; a later record with the same `key` replaces an
    /// earlier one in place.
    public static func read(paths: [String]) throws -> [ResultRecord] {
        var merged: [ResultRecord] = []
        var index: [String: Int] = [:]
        for path in paths {
            for record in try read(path: path) {
                if let i = index[record.key] { merged[i] = record } else { index[record.key] = merged.count; merged.append(record) }
            }
        }
        return merged
    }

    /// The records of one file.
    public static func read(path: String) throws -> [ResultRecord] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReportError.unreadable(path: path)
        }
        let text = String(decoding: data, as: UTF8.self)
        let complete = text.hasSuffix("\n")
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var records: [ResultRecord] = []
        let decoder = JSONDecoder()
        for (i, line) in lines.enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            do {
                records.append(try decoder.decode(ResultRecord.self, from: Data(line.utf8)))
            } catch {
                if i == lines.count - 1 && !complete { break }
                throw ReportError.malformedRecord(path: path, line: i + 1, reason: "not a result record (\(Self.reason(error)))")
            }
        }
        return records
    }

    private static func reason(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "missing '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "wrong type at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        default: return "invalid JSON"
        }
    }
}
