// ResultsFile: reads one or more results.jsonl files into records, merged. Each file is read
// through `InputFile` (a regular file, within the memory budget). A malformed line (not
// JSON, invalid UTF-8, nested past the decoder's depth limit, a number its field cannot
// hold: all "invalid JSON" to the decoder) is an error naming the file and line, except a
// last line without its newline: that is what a killed writer leaves behind, and it is
// ignored (the point is measured again).

import Foundation
import NNCore

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
        try records(in: InputFile.read(path)[...], path: path)
    }

    /// The records in `bytes`, the contents of `path`: one JSON object per line, blank lines
    /// skipped; a last line without a newline is a record if it decodes, else ignored.
    static func records(in bytes: ArraySlice<UInt8>, path: String) throws -> [ResultRecord] {
        var records: [ResultRecord] = []
        let decoder = JSONDecoder()
        var start = bytes.startIndex, number = 0
        while start < bytes.endIndex {
            number += 1
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n"))
            let line = bytes[start..<(end ?? bytes.endIndex)]
            start = end.map { $0 + 1 } ?? bytes.endIndex
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }) { continue }
            do {
                records.append(try decoder.decode(ResultRecord.self, from: Data(line)))
            } catch {
                if end == nil { break }
                throw ReportError.malformedRecord(path: path, line: number, reason: "not a result record (\(Self.reason(error)))")
            }
        }
        return records
    }

    private static func reason(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "missing '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "wrong type at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        case DecodingError.dataCorrupted(let context) where !context.codingPath.isEmpty:
            return "unknown value at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        default: return "invalid JSON"
        }
    }
}
