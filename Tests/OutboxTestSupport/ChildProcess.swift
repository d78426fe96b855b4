import Foundation

/// A child process for tests, started with `posix_spawn` in a process group of its own so
/// that ``kill(_:)`` ends the whole tree it starts. Its captured output is drained by
/// dedicated threads and its exit reaped by a dedicated `waitpid` thread, never by Swift's
/// cooperative pool: ``exit(within:)`` suspends on a continuation those threads resume, and
/// ``waitForExit(within:)`` blocks a thread (for synchronous tests and launchers only).
/// Every wait has a deadline; when it passes the tree is killed and ``Failure`` names the
/// command, the deadline and the tail of what the child wrote to stderr.
public final class ChildProcess: @unchecked Sendable {
    /// Where the child's standard input comes from.
    public enum Input: Sendable {
        /// `/dev/null`.
        case null
        /// These bytes, written by a thread of their own, then end of file.
        case bytes([UInt8])
        /// A pipe the test writes to with ``write(_:)`` and closes with ``closeInput()``.
        case pipe
    }

    /// Where a standard output stream of the child goes.
    public enum Output: Sendable {
        /// A pipe drained into memory (``stdout``, ``stderr``).
        case capture
        /// `/dev/null`.
        case null
        /// Appended to the file at this path (created if missing): for daemons whose log
        /// outlives the pipe, or servers whose grandchildren keep descriptors open.
        case file(String)
        /// Standard error only: the same place as standard output (`2>&1`).
        case standardOutput
    }

    /// How the child ended.
    public enum Termination: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)

        /// The exit status, or for a signal the signal number (Foundation `Process`'s `terminationStatus`).
        public var status: Int32 {
            switch self {
            case .exited(let code), .signaled(let code): code
            }
        }
    }

    /// A failed spawn or a passed deadline.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// The whole output of a child that ran to its end.
    public struct Completion: Sendable {
        public let termination: Termination
        public let stdout: [UInt8]
        public let stderr: [UInt8]

        public var status: Int32 { termination.status }
        public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    }

    public let pid: pid_t
    /// The executable and its arguments, for messages.
    public let command: [String]

    private let state = NSCondition()
    private var stdoutBytes: [UInt8] = []
    private var stderrBytes: [UInt8] = []
    private var openStreams = 0
    private var stdoutOpen = false
    private var termination: Termination?
    private var inputWriter: Int32 = -1
    private var waiters: [UInt64: Waiter] = [:]
    private var nextWaiter: UInt64 = 0

    private struct Waiter {
        let isDone: (ChildProcess) -> Bool
        let continuation: CheckedContinuation<Bool, Never>
        var deadline: DispatchWorkItem?

        func resume(_ result: Bool) {
            deadline?.cancel()
            continuation.resume(returning: result)
        }
    }

    /// Starts `executable` (a path, or a name looked up on `PATH`) with `arguments`.
    /// - Parameters:
    ///   - environment: the whole environment, or nil for this process's.
    ///   - directory: the working directory, or nil for this process's.
    public init(_ executable: String, _ arguments: [String] = [], environment: [String: String]? = nil, directory: String? = nil,
                stdin: Input = .null, stdout: Output = .capture, stderr: Output = .capture) throws {
        command = [executable] + arguments
        Glibc.signal(SIGPIPE, SIG_IGN)  // a child that stops reading its input is an outcome, not a signal for the test runner
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var parentEnds: [Int32] = []  // closed after the spawn
        defer { parentEnds.forEach { close($0) } }
        var readers: [(fd: Int32, isStdout: Bool)] = []
        var inputBytes: [UInt8]?
        var writer: Int32 = -1
        do {
            switch stdin {
            case .null: posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            case .bytes, .pipe:
                let (read, write) = try Self.pipe()
                posix_spawn_file_actions_adddup2(&actions, read, 0)
                parentEnds.append(read)
                writer = write
                if case .bytes(let bytes) = stdin { inputBytes = bytes }
            }
            for (fd, output) in [(Int32(1), stdout), (2, stderr)] {
                switch output {
                case .null: posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_WRONLY, 0)
                case .file(let path): posix_spawn_file_actions_addopen(&actions, fd, path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
                case .standardOutput: posix_spawn_file_actions_adddup2(&actions, 1, fd)
                case .capture:
                    let (read, write) = try Self.pipe()
                    posix_spawn_file_actions_adddup2(&actions, write, fd)
                    parentEnds.append(write)
                    readers.append((read, fd == 1))
                }
            }
        } catch {
            readers.forEach { close($0.fd) }
            if writer >= 0 { close(writer) }
            throw error
        }
        if let directory {
            guard let chdir = Self.addChdir else { throw Failure("posix_spawn_file_actions_addchdir_np is missing (glibc 2.29 or later)") }
            _ = directory.withCString { chdir(&actions, $0) }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        var everySignal = sigset_t(), noSignal = sigset_t()
        sigfillset(&everySignal)
        sigemptyset(&noSignal)
        posix_spawnattr_setsigdefault(&attributes, &everySignal)  // not the test runner's ignored SIGPIPE
        posix_spawnattr_setsigmask(&attributes, &noSignal)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = command.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envp = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var child = pid_t()
        let spawned = executable.contains("/")
            ? posix_spawn(&child, executable, &actions, &attributes, argv, envp)
            : posix_spawnp(&child, executable, &actions, &attributes, argv, envp)
        guard spawned == 0 else {
            readers.forEach { close($0.fd) }
            if writer >= 0 { close(writer) }
            throw Failure("cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        pid = child
        inputWriter = writer
        openStreams = readers.count
        stdoutOpen = readers.contains { $0.isStdout }
        for reader in readers { startThread { [self] in drain(reader.fd, isStdout: reader.isStdout) } }
        if let inputBytes {
            startThread { [self] in
                write(inputBytes)
                closeInput()
            }
        }
        startThread { [self] in reap() }
    }

    deinit {
        if inputWriter >= 0 { close(inputWriter) }
    }

    // MARK: Running to the end

    /// Runs a command to its end and returns its output; past `timeout` seconds the tree is
    /// killed and ``Failure`` thrown. A non-zero exit is returned, not thrown.
    public static func run(_ executable: String, _ arguments: [String] = [], environment: [String: String]? = nil,
                           directory: String? = nil, stdin: [UInt8]? = nil, timeout: Double = 120) async throws -> Completion {
        let child = try ChildProcess(executable, arguments, environment: environment, directory: directory, stdin: stdin.map { .bytes($0) } ?? .null)
        return try await child.completion(within: timeout)
    }

    /// ``run(_:_:environment:directory:stdin:timeout:)`` blocking the calling thread: for
    /// synchronous callers, which then hold their thread for the child's whole run.
    public static func runBlocking(_ executable: String, _ arguments: [String] = [], environment: [String: String]? = nil,
                                   directory: String? = nil, stdin: [UInt8]? = nil, timeout: Double = 120) throws -> Completion {
        let child = try ChildProcess(executable, arguments, environment: environment, directory: directory, stdin: stdin.map { .bytes($0) } ?? .null)
        return try child.completionBlocking(within: timeout)
    }

    /// Waits for the exit and the end of the captured output.
    public func completion(within timeout: Double) async throws -> Completion {
        try await wait(within: timeout, for: "exit") { $0.termination != nil && $0.openStreams == 0 }
        return finished()
    }

    /// ``completion(within:)`` blocking the calling thread.
    public func completionBlocking(within timeout: Double) throws -> Completion {
        try waitBlocking(within: timeout, for: "exit") { $0.termination != nil && $0.openStreams == 0 }
        return finished()
    }

    private func finished() -> Completion {
        state.withLock { Completion(termination: termination!, stdout: stdoutBytes, stderr: stderrBytes) }
    }

    // MARK: Waiting

    /// Waits for the exit (not for the end of captured output, which a grandchild may hold).
    @discardableResult
    public func exit(within timeout: Double) async throws -> Termination {
        try await wait(within: timeout, for: "exit") { $0.termination != nil }
        return state.withLock { termination! }
    }

    /// ``exit(within:)`` blocking the calling thread.
    @discardableResult
    public func waitForExit(within timeout: Double) throws -> Termination {
        try waitBlocking(within: timeout, for: "exit") { $0.termination != nil }
        return state.withLock { termination! }
    }

    /// The first line the child wrote to its captured stdout, without the line break; nil
    /// when stdout ended first. Past `timeout` the tree is killed and ``Failure`` thrown.
    public func firstLine(within timeout: Double) async throws -> String? {
        try await wait(within: timeout, for: "a first line of output") { $0.stdoutBytes.contains(10) || !$0.stdoutOpen }
        return state.withLock {
            stdoutBytes.firstIndex(of: 10).map { String(decoding: stdoutBytes[..<$0], as: UTF8.self) }
        }
    }

    /// ``firstLine(within:)`` blocking the calling thread.
    public func firstLineBlocking(within timeout: Double) throws -> String? {
        try waitBlocking(within: timeout, for: "a first line of output") { $0.stdoutBytes.contains(10) || !$0.stdoutOpen }
        return state.withLock {
            stdoutBytes.firstIndex(of: 10).map { String(decoding: stdoutBytes[..<$0], as: UTF8.self) }
        }
    }

    /// Whether it has not been reaped yet.
    public var isRunning: Bool { state.withLock { termination == nil } }

    /// How it ended, or nil while it runs.
    public var currentTermination: Termination? { state.withLock { termination } }

    /// Captured standard output so far.
    public var stdout: [UInt8] { state.withLock { stdoutBytes } }

    /// Captured standard error so far.
    public var stderr: [UInt8] { state.withLock { stderrBytes } }

    // MARK: Signals and input

    /// Sends `signal` to the child alone.
    public func signal(_ number: Int32) {
        if isRunning { Glibc.kill(pid, number) }
    }

    /// Sends `signal` (SIGKILL unless told) to the child's whole process group.
    public func kill(_ number: Int32 = SIGKILL) {
        Glibc.kill(-pid, number)
    }

    /// SIGTERM to the child, SIGKILL to its group after `grace` seconds; waits for the exit.
    @discardableResult
    public func terminate(grace: Double = 5) async -> Termination {
        signal(SIGTERM)
        if let ended = try? await exit(within: grace) { return ended }
        return currentTermination ?? .signaled(SIGKILL)  // the deadline killed the group
    }

    /// ``terminate(grace:)`` blocking the calling thread.
    @discardableResult
    public func terminateBlocking(grace: Double = 5) -> Termination {
        signal(SIGTERM)
        if let ended = try? waitForExit(within: grace) { return ended }
        return currentTermination ?? .signaled(SIGKILL)
    }

    /// Writes to the child's stdin (``Input/pipe``); fails quietly once the child closed it.
    public func write(_ bytes: [UInt8]) {
        let fd = state.withLock { inputWriter }
        guard fd >= 0 else { return }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            offset += written
        }
    }

    /// Closes the child's stdin (end of file for it).
    public func closeInput() {
        let fd = state.withLock {
            defer { inputWriter = -1 }
            return inputWriter
        }
        if fd >= 0 { close(fd) }
    }

    // MARK: Internals

    /// Suspends until `isDone` holds; past `timeout` kills the tree (and waits up to 10 s
    /// more for its reaping) and throws. Task cancellation kills the tree too.
    private func wait(within timeout: Double, for what: String, _ isDone: @escaping (ChildProcess) -> Bool) async throws {
        guard await suspend(within: timeout, until: isDone) == false else { return }
        kill()
        _ = await suspend(within: 10) { $0.termination != nil }
        try Task.checkCancellation()
        throw timedOut(what, timeout)
    }

    /// Suspends until `isDone` holds (true), `timeout` passes or the task is cancelled (false).
    private func suspend(within timeout: Double, until isDone: @escaping (ChildProcess) -> Bool) async -> Bool {
        let id: UInt64 = state.withLock {
            nextWaiter += 1
            return nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let immediately: Bool? = state.withLock {
                    if isDone(self) { return true }
                    if Task.isCancelled { return false }
                    waiters[id] = Waiter(isDone: isDone, continuation: continuation)
                    return nil
                }
                if let immediately { return continuation.resume(returning: immediately) }
                let deadline = DispatchWorkItem { [self] in resumeWaiter(id, with: false) }
                state.withLock { waiters[id]?.deadline = deadline }
                DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: deadline)
            }
        } onCancel: {
            resumeWaiter(id, with: false)
        }
    }

    private func waitBlocking(within timeout: Double, for what: String, _ isDone: (ChildProcess) -> Bool) throws {
        guard !block(within: timeout, until: isDone) else { return }
        kill()
        _ = block(within: 10) { $0.termination != nil }
        throw timedOut(what, timeout)
    }

    private func block(within timeout: Double, until isDone: (ChildProcess) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        return state.withLock {
            while !isDone(self) {
                if !state.wait(until: deadline) { return isDone(self) }
            }
            return true
        }
    }

    private func timedOut(_ what: String, _ timeout: Double) -> Failure {
        let tail = String(decoding: stderr.suffix(2_000), as: UTF8.self)
        return Failure("`\(command.joined(separator: " "))` (pid \(pid)): no \(what) within \(timeout) s; its process group was killed."
                       + (tail.isEmpty ? "" : " Last stderr:\n\(tail)"))
    }

    private func resumeWaiter(_ id: UInt64, with result: Bool) {
        let waiter = state.withLock { waiters.removeValue(forKey: id) }
        waiter?.resume(result)
    }

    /// Called with `state` held after every change: wakes the blocking and async waiters whose condition holds.
    private func changed() {
        state.broadcast()
        let ready = waiters.filter { $0.value.isDone(self) }
        for id in ready.keys { waiters[id] = nil }
        ready.values.forEach { $0.resume(true) }
    }

    private func drain(_ fd: Int32, isStdout: Bool) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            state.withLock {
                if isStdout { stdoutBytes += buffer[..<count] } else { stderrBytes += buffer[..<count] }
                changed()
            }
        }
        close(fd)
        state.withLock {
            openStreams -= 1
            if isStdout { stdoutOpen = false }
            changed()
        }
    }

    private func reap() {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { break }
        }
        // WIFSIGNALED/WTERMSIG/WEXITSTATUS are macros Swift does not import.
        let signal = status & 0x7f
        let ended: Termination = signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
        state.withLock {
            termination = ended
            changed()
        }
    }

    private func startThread(_ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.stackSize = 256 * 1024
        thread.start()
    }

    private static func pipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        // O_CLOEXEC at creation: a child spawned meanwhile by another test must not inherit the
        // other ends, or these pipes would never reach end of file.
        guard pipeWithFlags(&fds, O_CLOEXEC) == 0 else { throw Failure("pipe2: \(String(cString: strerror(errno)))") }
        return (fds[0], fds[1])
    }

    // `pipe2` and `posix_spawn_file_actions_addchdir_np` are GNU extensions the Glibc module does not import.
    private static let pipeWithFlags: @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32 = {
        unsafeBitCast(dlsym(dlopen(nil, RTLD_NOW), "pipe2")!, to: (@convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32).self)
    }()

    private static let addChdir: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32)? = {
        dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addchdir_np").map {
            unsafeBitCast($0, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32).self)
        }
    }()
}
