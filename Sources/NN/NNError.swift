// NNError: every error the NN module throws. Each message names the file (or key) and
// the problem in one line, ready for the CLI to print after "error: ".

/// Errors from reading, building and running models and data.
public enum NNError: Error, CustomStringConvertible, Equatable {
    /// A file could not be read or written at all (missing, permission, a directory).
    case io(path: String, reason: String)
    /// A file's bytes do not form what they claim to be (truncated, corrupt, inconsistent sizes).
    case malformed(path: String, reason: String)
    /// A valid file that uses something Shears does not support.
    case unsupported(path: String, reason: String)

    public var description: String {
        switch self {
        case .io(let path, let reason): return "\(path): \(reason)"
        case .malformed(let path, let reason): return "\(path): malformed: \(reason)"
        case .unsupported(let path, let reason): return "\(path): unsupported: \(reason)"
        }
    }
}
