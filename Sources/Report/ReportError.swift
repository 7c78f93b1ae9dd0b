// ReportError: every error the Report module throws, one line each, naming the file and line;
// the way out, where one is known, is a WayOut value that the CLI words as its flag.

import NNCore

/// Errors from reading result records and writing reports.
public enum ReportError: Error, CustomStringConvertible, Equatable {
    /// A results file line that is not a valid record.
    case malformedRecord(path: String, line: Int, reason: String)
    /// A file or folder that cannot be written; `wayOut`: what would go through.
    case unwritable(path: String, reason: String, wayOut: WayOut? = nil)
    /// A results file another run holds open for writing; its way out is `.anotherOutput`
    /// (or waiting for that run to finish).
    case locked(path: String)

    /// What the caller can change for the write to go through, where one is known.
    public var wayOut: WayOut? {
        switch self {
        case .malformedRecord: return nil
        case .unwritable(_, _, let wayOut): return wayOut
        case .locked: return .anotherOutput
        }
    }

    /// The message in a program's terms: the way out worded by WayOut's description.
    public var description: String { message(wording: \.description) }

    /// The one-line message with the way out worded by `word` (the CLI names its flag).
    public func message(wording word: (WayOut) -> String) -> String {
        switch self {
        case .malformedRecord(let path, let line, let reason): return "\(path):\(line): \(reason)"
        case .unwritable(let path, let reason, let wayOut): return "\(path): cannot write: \(reason)\(wayOut.map { "; \(word($0))" } ?? "")"
        case .locked(let path): return "\(path): another run is writing this results file (it holds its lock); \(word(.anotherOutput)), or wait for it to finish"
        }
    }
}
