// ReportError: every error the Report module throws, one line each, naming the file and line.

/// Errors from reading result records and writing reports.
public enum ReportError: Error, CustomStringConvertible, Equatable {
    /// A results file line that is not a valid record.
    case malformedRecord(path: String, line: Int, reason: String)

    public var description: String {
        switch self {
        case .malformedRecord(let path, let line, let reason): return "\(path):\(line): \(reason)"
        }
    }
}
