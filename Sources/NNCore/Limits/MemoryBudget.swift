// MemoryBudget: the one limit on memory that untrusted input can ask for. Every size derived
// from a file or a flag (a tensor's elements, the sum over a checkpoint, feature maps at the
// given input size, decoded and resized images, expanded pickles and module trees) is checked
// here before it is allocated, so a 1 KB file that declares 25 GB is refused in one line
// naming the file and the size instead of being killed by the kernel (or by `ulimit -v`).

import Foundation

/// A process-wide byte limit for allocations sized by input.
public enum MemoryBudget {
    /// The limit in bytes. Defaults to `defaultLimit`; the CLI's `--memory-limit` sets it.
    nonisolated(unsafe) public static var limit: Int = defaultLimit

    /// Half of what this process may use: the smaller of physical memory and the soft
    /// `RLIMIT_AS` / `RLIMIT_DATA` (`ulimit -v` / `ulimit -d`), so the default fits the machine
    /// and a run under `ulimit -v` refuses before the kernel would.
    public static let defaultLimit: Int = {
        var available = UInt64(ProcessInfo.processInfo.physicalMemory)
        for resource in [RLIMIT_AS, RLIMIT_DATA] {
            var limits = rlimit()
            if getrlimit(__rlimit_resource_t(resource.rawValue), &limits) == 0, limits.rlim_cur != rlim_t.max {
                available = min(available, UInt64(limits.rlim_cur))
            }
        }
        return Int(min(available / 2, UInt64(Int.max)))
    }()

    /// Throws `NNError.overBudget` unless `bytes` (nil: overflowed while computing) fits the limit.
    ///
    /// - Parameters:
    ///   - what: what would be allocated, for the message ("feature map of layer 'conv1'").
    ///   - path: the file (or flag) whose contents asked for it.
    public static func check(_ bytes: Int?, for what: String, path: String) throws {
        guard let bytes, bytes >= 0, bytes <= limit else {
            throw NNError.overBudget(path: path, what: what, bytes: bytes, limit: limit)
        }
    }

    /// `check` of `elements × elementSize` bytes, the product computed without overflow.
    public static func check(elements: Int, of elementSize: Int, for what: String, path: String) throws {
        let (bytes, overflow) = elements.multipliedReportingOverflow(by: elementSize)
        try check(overflow || elements < 0 ? nil : bytes, for: what, path: path)
    }

    /// A size as people write it: `1.5 GB`, `512 MB`, `12 KB` (powers of 1024).
    public static func describe(_ bytes: Int) -> String {
        let units = ["B", "KB", "MB", "GB", "TB", "PB", "EB"]
        var value = Double(bytes), unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }

    /// Parses `8G`, `512M`, `1.5g`, `100000` (bytes) into bytes; nil when malformed, not
    /// positive, or past `Int.max`.
    public static func parse(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).uppercased()
        let scales: [Character: Double] = ["K": 1024, "M": 1024 * 1024, "G": 1024 * 1024 * 1024, "T": 1024 * 1024 * 1024 * 1024]
        var digits = Substring(trimmed)
        if digits.hasSuffix("B") { digits = digits.dropLast() }
        var scale = 1.0
        if let last = digits.last, let factor = scales[last] { scale = factor; digits = digits.dropLast() }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              let value = Double(digits), value.isFinite, value > 0 else { return nil }
        let bytes = value * scale
        guard bytes >= 1, bytes < Double(Int.max) else { return nil }
        return Int(bytes)
    }
}
