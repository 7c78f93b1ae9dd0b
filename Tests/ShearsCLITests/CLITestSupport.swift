// Runs the built `shears` binary and captures its exit status, stdout and stderr.

import Foundation
import XCTest

struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
    /// Killed by a signal (a trap, a sanitizer abort, a segfault) rather than exiting.
    var crashed: Bool
    /// Killed by the test for running past its time limit.
    var timedOut = false
}

/// Limits a run of the CLI is held to: address space (`ulimit -v`), file size (`ulimit -f`,
/// a full disk as the writer sees it: EFBIG) and wall time.
struct RunLimits {
    /// Virtual memory in KiB, as `ulimit -v` takes it.
    var memoryKiB: Int
    var seconds: Double
    /// The largest file the run may write, in 512-byte blocks as dash's `ulimit -f` takes it.
    var fileBlocks: Int?

    /// What every bad input must be refused within: 3 GiB of address space, 30 seconds.
    static let badInput = RunLimits(memoryKiB: 3 * 1024 * 1024, seconds: 30)

    /// These limits with files of at most `blocks` 512-byte blocks.
    func files(_ blocks: Int) -> RunLimits {
        var limits = self
        limits.fileBlocks = blocks
        return limits
    }

    /// The shell commands that set the limits before `exec`.
    var shellPrefix: String {
        "ulimit -v \(memoryKiB) && " + (fileBlocks.map { "ulimit -f \($0) && " } ?? "")
    }
}

enum CLI {
    /// The `shears` executable next to the test bundle in the build products directory.
    static var executable: URL {
        var dir = Bundle(for: Marker.self).bundleURL
        while dir.pathExtension == "xctest" || dir.lastPathComponent.hasSuffix(".xctest") { dir.deleteLastPathComponent() }
        return dir.appendingPathComponent("shears")
    }

    /// Runs `shears` with `arguments`, in `directory` when given; with `limits`, under
    /// `ulimit -v` and `ulimit -f` (through /bin/sh, which then execs the binary) and killed
    /// (SIGKILL) once its time is up.
    static func run(_ arguments: [String], in directory: URL? = nil, limits: RunLimits? = nil) throws -> CLIResult {
        let process = Process()
        if let limits {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", limits.shellPrefix + "exec \"$0\" \"$@\"", executable.path] + arguments
        } else {
            process.executableURL = executable
            process.arguments = arguments
        }
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let killed = Killed()
        if let limits {
            DispatchQueue.global().asyncAfter(deadline: .now() + limits.seconds) {
                guard process.isRunning else { return }
                killed.set()
                kill(process.processIdentifier, SIGKILL)
            }
        }
        // Both pipes drained at once: a child that fills one while the test reads the other would block.
        let stderrBox = DataBox()
        let stderrRead = DispatchQueue(label: "stderr")
        stderrRead.async { stderrBox.data = err.fileHandleForReading.readDataToEndOfFile() }
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        stderrRead.sync {}
        let stderrData = stderrBox.data
        process.waitUntilExit()
        return CLIResult(status: process.terminationStatus,
                         stdout: String(decoding: stdoutData, as: UTF8.self),
                         stderr: String(decoding: stderrData, as: UTF8.self),
                         crashed: process.terminationReason == .uncaughtSignal && !killed.value,
                         timedOut: killed.value)
    }

    /// stderr's bytes, filled by the queue that reads them.
    private final class DataBox: @unchecked Sendable { var data = Data() }

    /// Set once by the timer that killed a run.
    private final class Killed: @unchecked Sendable {
        private let lock = NSLock()
        private var killed = false
        var value: Bool { lock.withLock { killed } }
        func set() { lock.withLock { killed = true } }
    }

    private final class Marker {}
}
