// ReportError: every error the Report module throws, one line each, naming the file and line.

/// Errors from reading result records and writing reports.
public enum ReportError: Error, CustomStringConvertible, Equatable {
    /// A results file line that is not a valid record.
    case malformedRecord(path: String, line: Int, reason: String)
    /// A file or folder that cannot be written.
    case unwritable(path: String, reason: String)
    /// A results file another run holds open for writing.
    case locked(path: String)

    public var description: String {
        switch self {
        case .malformedRecord(let path, let line, let reason): return "\(path):\(line): \(reason)"
        case .unwritable(let path, let reason): return "\(path): cannot write: \(reason)"
        case .locked(let path): return "\(path): another run is writing this results file (it holds its lock); give another --out, or wait for it to finish"
        }
    }
}
