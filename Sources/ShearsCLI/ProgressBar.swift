// ProgressBar: a one-line progress indicator on stderr, drawn only when stderr is a
// terminal, so pipes, CI logs and --json output stay clean.

import Foundation

/// Progress of a long job (decoding, evaluating, sweeping) on stderr.
final class ProgressBar {
    private let label: String
    private let total: Int
    /// Units done so far.
    private(set) var done = 0
    private let enabled: Bool
    private let start = Date()
    private var lastDraw = Date.distantPast

    /// `total` units of work labelled `label`; silent unless stderr is a TTY.
    init(_ label: String, total: Int) {
        self.label = label
        self.total = max(total, 1)
        self.enabled = isatty(STDERR_FILENO) == 1
    }

    /// Marks `count` more units done and redraws at most ten times a second.
    func advance(by count: Int = 1) {
        done = min(done + count, total)
        guard enabled else { return }
        let now = Date()
        if done == total || now.timeIntervalSince(lastDraw) > 0.1 {
            lastDraw = now
            draw()
        }
    }

    /// Ends the line.
    func finish() {
        guard enabled else { return }
        done = total
        draw()
        try? FileHandle.standardError.write(contentsOf: Data("\n".utf8))
    }

    private func draw() {
        let width = 30
        let filled = width * done / total
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let elapsed = Date().timeIntervalSince(start)
        let line = String(format: "\r%@ [%@] %d/%d %.1fs", label, bar, done, total, elapsed)
        try? FileHandle.standardError.write(contentsOf: Data(line.utf8))
    }
}
