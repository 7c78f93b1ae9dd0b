// ReportError: every error the Report module throws, one line each, naming the file and line.

/// Errors from reading result records and writing reports.
public enum ReportError: Error, CustomStringConvertible, Equatable {
    /// A results file line that is not a valid record.
    case malformedRecord(path: String, line: Int, reason: String)
    /// A results file that cannot be read.
    case unreadable(path: String)
    /// A file or folder that cannot be written.
    case unwritable(path: String, reason: String)
    /// A results file another run holds open for writing.
    case locked(path: String)

    public var description: String {
        switch self {
        case .malformedRecord(let path, let line, let reason): return "\(path):\(line): \(reason)"
        case .unreadable(let path): return "\(path): cannot read results file"
        case .unwritable(let path, let reason): return "\(path): cannot write: \(reason)"
        case .locked(let path): return "\(path): another run is writing this results file (it holds its lock); give another --out, or wait for it to finish"
        }
    }
}
