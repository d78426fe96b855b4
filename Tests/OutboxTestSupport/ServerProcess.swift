import Foundation

/// Starting and stopping a loopback test server from `Tests/Servers/`: the one launch that
/// ``LoopbackServer`` and ``TestSMTPServer`` share.
enum ServerProcess {
    /// Runs `arguments` through `/usr/bin/env` and reads the port the server prints; on no
    /// port within 20 s the process is ended, `directory` removed and `failure()` thrown.
    static func start(_ arguments: [String], directory: URL, failure: () -> any Error) throws -> (process: Process, port: Int) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        guard let port = ChildPort.read(from: output.fileHandleForReading, timeout: 20) else {
            process.terminate()
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: directory)
            throw failure()
        }
        return (process, port)
    }

    /// Terminates `process` (SIGKILL after 5 s), waits for it and removes `directory`.
    static func stop(_ process: Process, directory: URL) {
        if process.isRunning { process.terminate() }
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }
}
