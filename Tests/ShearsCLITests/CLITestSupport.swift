// Runs the built `shears` binary and captures its exit status, stdout and stderr.

import Foundation
import XCTest

struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
    /// Killed by a signal (a trap, a sanitizer abort, a segfault) rather than exiting.
    var crashed: Bool
}

enum CLI {
    /// The `shears` executable next to the test bundle in the build products directory.
    static var executable: URL {
        var dir = Bundle(for: Marker.self).bundleURL
        while dir.pathExtension == "xctest" || dir.lastPathComponent.hasSuffix(".xctest") { dir.deleteLastPathComponent() }
        return dir.appendingPathComponent("shears")
    }

    /// Runs `shears` with `arguments`, in `directory` when given.
    static func run(_ arguments: [String], in directory: URL? = nil) throws -> CLIResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        let stderrData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLIResult(status: process.terminationStatus,
                         stdout: String(decoding: stdoutData, as: UTF8.self),
                         stderr: String(decoding: stderrData, as: UTF8.self),
                         crashed: process.terminationReason == .uncaughtSignal)
    }

    private final class Marker {}
}
