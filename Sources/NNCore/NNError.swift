// NNError: every error the NN module throws. Each message names the file (or key) and
// the problem in one line, ready for the CLI to print after "error: "; the way out, where
// one is known, is a WayOut value that the CLI words as its flag.

import Foundation

/// Errors from reading, building and running models and data.
public enum NNError: Error, CustomStringConvertible, Equatable {
    /// A file could not be read or written at all (missing, permission, a directory).
    case io(path: String, reason: String)
    /// A file's bytes do not form what they claim to be (truncated, corrupt, inconsistent sizes).
    case malformed(path: String, reason: String)
    /// A valid file that uses something Shears does not support; `wayOut`: what would go through.
    case unsupported(path: String, reason: String, wayOut: WayOut? = nil)
    /// A file that asks for something Shears never does (e.g. a pickle calling `os.system`).
    case refused(path: String, reason: String)
    /// An image file that cannot be decoded (not a JPEG, truncated, corrupt, too large).
    case badImage(path: String, reason: String)
    /// A dataset folder whose layout Shears cannot list (missing split, no images), or a label
    /// the model has no class for; `wayOut`: what would go through.
    case badDataset(path: String, reason: String, wayOut: WayOut? = nil)
    /// A parameter value that cannot work (e.g. a crop size of 0); `name` says which.
    case invalidArgument(name: String, reason: String)
    /// A graph node whose input or parameters have the wrong shape.
    case shapeMismatch(node: String, reason: String)
    /// A state dict that does not fit an architecture, as `load_state_dict(strict=True)` reports it.
    case stateDictMismatch(architecture: String, missing: [String], unexpected: [String], mismatched: [String])
    /// No catalog architecture matches the state dict, or an unknown `--arch` name; `wayOut`:
    /// what would go through.
    case unknownArchitecture(String, wayOut: WayOut? = nil)
    /// Input that asks for more memory than `MemoryBudget.limit` (`bytes` nil: past `Int.max`);
    /// its way out is always `.raiseMemoryLimit`.
    case overBudget(path: String, what: String, bytes: Int?, limit: Int)

    /// What the caller can change for the input to go through, where one is known.
    public var wayOut: WayOut? {
        switch self {
        case .unsupported(_, _, let wayOut), .badDataset(_, _, let wayOut), .unknownArchitecture(_, let wayOut): return wayOut
        case .overBudget: return .raiseMemoryLimit
        default: return nil
        }
    }

    /// The message in a program's terms: the way out worded by WayOut's description.
    public var description: String { message(wording: \.description) }

    /// The one-line message with the way out worded by `word` (the CLI names its flag).
    public func message(wording word: (WayOut) -> String) -> String {
        let then = wayOut.map { "; \(word($0))" } ?? ""
        switch self {
        case .io(let path, let reason): return "\(path): \(reason)"
        case .malformed(let path, let reason): return "\(path): malformed: \(reason)"
        case .unsupported(let path, let reason, _): return "\(path): unsupported: \(reason)\(then)"
        case .refused(let path, let reason): return "\(path): \(reason)"
        case .badImage(let path, let reason): return "\(path): bad image: \(reason)"
        case .badDataset(let path, let reason, _): return "\(path): bad dataset: \(reason)\(then)"
        case .invalidArgument(let name, let reason): return "invalid \(name): \(reason)"
        case .shapeMismatch(let node, let reason): return "layer '\(node)': \(reason)"
        case .stateDictMismatch(let architecture, let missing, let unexpected, let mismatched):
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing keys: \(Self.first(missing, separator: ", "))") }
            if !unexpected.isEmpty { parts.append("unexpected keys: \(Self.first(unexpected, separator: ", "))") }
            if !mismatched.isEmpty { parts.append("shape mismatches: \(Self.first(mismatched, separator: "; "))") }
            return "state dict does not fit \(architecture): \(parts.joined(separator: "; "))"
        case .unknownArchitecture(let reason, _): return "unknown architecture: \(reason)\(then)"
        case .overBudget(let path, let what, let bytes, let limit):
            let size = bytes.map(MemoryBudget.describe) ?? "more than \(MemoryBudget.describe(Int.max))"
            return "\(path): \(what) would need \(size), over the memory limit of \(MemoryBudget.describe(limit)) (\(word(.raiseMemoryLimit)))"
        }
    }

    /// `.io` for a failed file operation: `action`, then the operating system's words for it
    /// (`strerror` of the POSIX error under Foundation's), else Foundation's description.
    static func io(path: String, _ action: String, _ error: Error) -> NNError {
        let error = error as NSError
        guard let posix = error.userInfo[NSUnderlyingErrorKey] as? NSError, posix.domain == NSPOSIXErrorDomain else {
            return .io(path: path, reason: "\(action): \(error.localizedDescription)")
        }
        return .io(path: path, reason: "\(action): \(String(cString: strerror(Int32(posix.code))))")
    }

    /// `.io` for a file that cannot be read, with the operating system's reason (found by
    /// opening and reading it: ENOENT, EISDIR, ELOOP for a link to itself, EACCES).
    package static func unreadable(_ path: String) -> NNError {
        let descriptor = open(path, O_RDONLY)
        var byte: UInt8 = 0
        let code = descriptor < 0 ? errno : (read(descriptor, &byte, 1) < 0 ? errno : 0)
        if descriptor >= 0 { close(descriptor) }
        return .io(path: path, reason: code == 0 ? "cannot read" : "cannot read: \(String(cString: strerror(code)))")
    }

    /// The first few `items` joined, then how many more there are: a line stays readable.
    private static func first(_ items: [String], separator: String, count: Int = 6) -> String {
        let shown = items.prefix(count).joined(separator: separator)
        return items.count > count ? "\(shown)\(separator)and \(items.count - count) more" : shown
    }
}
