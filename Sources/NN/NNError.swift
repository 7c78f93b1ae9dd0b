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
    /// An image file that cannot be decoded (not a JPEG, truncated, corrupt, too large).
    case badImage(path: String, reason: String)
    /// A dataset folder whose layout Shears cannot list (missing split, no images).
    case badDataset(path: String, reason: String)
    /// A parameter value that cannot work (e.g. a crop size of 0); `name` says which.
    case invalidArgument(name: String, reason: String)

    public var description: String {
        switch self {
        case .io(let path, let reason): return "\(path): \(reason)"
        case .malformed(let path, let reason): return "\(path): malformed: \(reason)"
        case .unsupported(let path, let reason): return "\(path): unsupported: \(reason)"
        case .badImage(let path, let reason): return "\(path): bad image: \(reason)"
        case .badDataset(let path, let reason): return "\(path): bad dataset: \(reason)"
        case .invalidArgument(let name, let reason): return "invalid \(name): \(reason)"
        }
    }
}
