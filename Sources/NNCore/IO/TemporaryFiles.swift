// TemporaryFiles: the process's live temporary files (and the child processes writing
// them), removed by a SIGINT, SIGTERM or SIGHUP handler before the process dies of the
// signal; and the removal of stale temporaries that dead processes left behind.
//
// Every temporary Shears makes is named `.<name>.<pid>.<ext>` beside the file it becomes
// (`AtomicFile`: `.model.pt.4242.tmp`; gnuplot's renders: `.accuracy-vs-ratio.4242.png`).
// A temporary is registered before it is created and released after it is renamed into
// place or removed. The handler may only make async-signal-safe calls, so the registry is a
// fixed array of C strings rendered at registration, and a bit mask (an atomic word) of the
// slots in use: the handler kills and reaps the registered children (`kill`, `waitpid`, so
// nothing writes a temporary after it is gone), `unlink`s the live slots, restores the
// signal's default action and re-raises it, so the exit status is the signal's. Slots are
// handed out round-robin, so a slot released on one thread is not rewritten while the
// handler may be reading it on another. A child is started with the signals blocked on the
// starting thread until its pid is registered, and a handler running meanwhile on another
// thread waits for that registration, so no child escapes between its start and its
// registration (it inherits the blocked signals; it runs in its own process group anyway).
//
// SIGKILL cannot be caught: what it leaves is removed by `removeStale` on the next write
// to the same target (a temporary whose pid names no running process is stale; a pid from
// another pid namespace sharing the folder would look dead too).

import Foundation
import Synchronization

/// The registry of live temporary files and the cleanup of dead processes' ones.
public enum TemporaryFiles {
    /// Temporaries registered at once (Shears has at most four live: one atomic write,
    /// gnuplot's script and its two images); past it, a temporary is not registered and only
    /// `removeStale` removes it if a signal strikes.
    static let capacity = 64
    /// Bytes of a slot: PATH_MAX, the longest path (with its NUL) `open` accepts.
    static let slotBytes = Int(PATH_MAX)
    /// Child processes registered at once.
    static let childCapacity = 8

    /// The registered paths, NUL-terminated, `slotBytes` apart.
    nonisolated(unsafe) private static let paths = UnsafeMutablePointer<CChar>.allocate(capacity: capacity * slotBytes)
    /// Bit i set: slot i holds a live temporary.
    private static let live = Atomic<UInt64>(0)
    /// The registered children's pids.
    nonisolated(unsafe) private static let children = UnsafeMutablePointer<pid_t>.allocate(capacity: childCapacity)
    /// Bit i set: `children[i]` is a live child.
    private static let liveChildren = Atomic<UInt8>(0)
    /// Children being started and not yet registered.
    private static let starting = Atomic<Int>(0)
    /// Serializes registrations (the handler never takes it).
    private static let lock = NSLock()
    /// The state registrations share under `lock`: round-robin cursors, whether the handler is installed.
    nonisolated(unsafe) private static var next = 0, nextChild = 0, installed = false

    /// A registered temporary file.
    public struct Registration: Sendable {
        /// The temporary's path.
        public let path: String
        fileprivate let slot: Int?

        /// Forgets the temporary (it was renamed into place or is gone).
        public func release() {
            guard let slot else { return }
            TemporaryFiles.lock.withLock { _ = TemporaryFiles.live.bitwiseAnd(~(UInt64(1) << UInt64(slot)), ordering: .releasing) }
        }

        /// Removes the file if it exists, then forgets it.
        public func remove() {
            unlink(path)
            release()
        }
    }

    /// A registered child process.
    public struct Child: Sendable {
        fileprivate let slot: Int?

        /// Forgets the child (it has been reaped).
        public func release() {
            guard let slot else { return }
            TemporaryFiles.lock.withLock { _ = TemporaryFiles.liveChildren.bitwiseAnd(~(UInt8(1) << UInt8(slot)), ordering: .releasing) }
        }
    }

    /// Registers `path` (to be created next) for removal if a signal ends the process;
    /// installs the signal handler on first use.
    public static func register(_ path: String) -> Registration {
        let bytes = Array(path.utf8CString)
        return lock.withLock {
            installHandlers()
            let used = live.load(ordering: .relaxed)
            guard bytes.count <= slotBytes, used != .max else { return Registration(path: path, slot: nil) }
            while used & (UInt64(1) << UInt64(next)) != 0 { next = (next + 1) % capacity }
            let slot = next
            next = (next + 1) % capacity
            bytes.withUnsafeBufferPointer { (paths + slot * slotBytes).update(from: $0.baseAddress!, count: bytes.count) }
            _ = live.bitwiseOr(UInt64(1) << UInt64(slot), ordering: .releasing)
            return Registration(path: path, slot: slot)
        }
    }

    /// Starts a child process that writes registered temporaries (`start` returns its pid)
    /// and registers it to be killed and reaped before the temporaries are removed if a
    /// signal ends the process. SIGINT, SIGTERM and SIGHUP are blocked on this thread while it
    /// starts (so the child inherits them blocked), and a handler on another thread waits
    /// for the registration.
    public static func startChild(_ start: () throws -> pid_t) rethrows -> Child {
        var signals = sigset_t(), previous = sigset_t()
        sigemptyset(&signals)
        for signal in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&signals, signal) }
        pthread_sigmask(SIG_BLOCK, &signals, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        starting.add(1, ordering: .sequentiallyConsistent)
        defer { starting.subtract(1, ordering: .sequentiallyConsistent) }
        return register(child: try start())
    }

    /// Registers the running child `pid`.
    private static func register(child pid: pid_t) -> Child {
        lock.withLock {
            installHandlers()
            let used = liveChildren.load(ordering: .relaxed)
            guard used != UInt8.max else { return Child(slot: nil) }
            while used & (UInt8(1) << UInt8(nextChild)) != 0 { nextChild = (nextChild + 1) % childCapacity }
            let slot = nextChild
            nextChild = (nextChild + 1) % childCapacity
            children[slot] = pid
            _ = liveChildren.bitwiseOr(UInt8(1) << UInt8(slot), ordering: .releasing)
            return Child(slot: slot)
        }
    }

    /// The registered paths, for tests.
    static var registered: [String] {
        lock.withLock {
            let used = live.load(ordering: .acquiring)
            return (0..<capacity).filter { used & (UInt64(1) << UInt64($0)) != 0 }.map { String(cString: paths + $0 * slotBytes) }
        }
    }

    /// Installs `onSignal` for SIGINT, SIGTERM and SIGHUP where their action is the default
    /// (an ignored signal stays ignored, a program's own handler stays in place). Under `lock`.
    private static func installHandlers() {
        guard !installed else { return }
        installed = true
        // The handler reads these: initialize them now, never inside it.
        _ = (paths, children, live.load(ordering: .relaxed), liveChildren.load(ordering: .relaxed), starting.load(ordering: .relaxed))
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            var current = sigaction()
            guard sigaction(signal, nil, &current) == 0, unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self) == 0 else { continue }
            var action = sigaction()
            action.__sigaction_handler.sa_handler = onSignal
            sigemptyset(&action.sa_mask)
            _ = sigaction(signal, &action, nil)
        }
    }

    /// Waits (up to a second) for children being started to be registered, kills and reaps
    /// the live children, unlinks the live temporaries. Async-signal-safe: atomic loads,
    /// `nanosleep`, `kill`, `waitpid`, `unlink`.
    fileprivate static func removeAllLive() {
        var pause = timespec(tv_sec: 0, tv_nsec: 1_000_000)
        var waited = 0
        while starting.load(ordering: .sequentiallyConsistent) > 0 && waited < 1000 {
            nanosleep(&pause, nil)
            waited += 1
        }
        let running = liveChildren.load(ordering: .acquiring)
        for slot in 0..<childCapacity where running & (UInt8(1) << UInt8(slot)) != 0 {
            let pid = children[slot]
            kill(pid, SIGKILL)
            while waitpid(pid, nil, 0) == -1 && errno == EINTR {}
        }
        let used = live.load(ordering: .acquiring)
        for slot in 0..<capacity where used & (UInt64(1) << UInt64(slot)) != 0 {
            unlink(paths + slot * slotBytes)
        }
    }

    /// Removes the regular files of this user in `directory` named `.<stem>.<pid>.<ext>`
    /// (`stem` one of `stems`, any when nil; `ext` one of `extensions`) whose process `pid` no
    /// longer exists (`kill(pid, 0)` fails with ESRCH). Best effort: an unreadable folder
    /// removes nothing.
    public static func removeStale(in directory: String, stems: Set<String>? = nil, extensions: Set<String>) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names {
            guard let (stem, pid, ext) = parse(name), extensions.contains(ext), stems?.contains(stem) ?? true,
                  kill(pid, 0) == -1, errno == ESRCH else { continue }
            let path = "\(directory)/\(name)"
            var status = stat()
            guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG, status.st_uid == geteuid() else { continue }
            unlink(path)
        }
    }

    /// `name` as `.<stem>.<pid>.<ext>`: a non-empty stem, a pid in decimal without a leading
    /// zero that fits a `pid_t` and is above 0, an extension without dots; nil otherwise.
    static func parse(_ name: String) -> (stem: String, pid: pid_t, ext: String)? {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard name.hasPrefix("."), parts.count >= 4, let ext = parts.last, !ext.isEmpty else { return nil }
        let digits = parts[parts.count - 2]
        guard let first = digits.first, first != "0", digits.count <= 10, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              let pid = pid_t(digits) else { return nil }
        let stem = parts[1..<(parts.count - 2)].joined(separator: ".")
        guard !stem.isEmpty else { return nil }
        return (stem, pid, String(ext))
    }
}

/// The SIGINT/SIGTERM/SIGHUP handler: removes the live temporaries, then dies of the signal.
private let onSignal: @convention(c) (Int32) -> Void = { signal in
    TemporaryFiles.removeAllLive()
    var action = sigaction()
    sigemptyset(&action.sa_mask)
    _ = sigaction(signal, &action, nil)
    raise(signal)
}
