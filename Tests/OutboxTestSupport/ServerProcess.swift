import Foundation

/// Starting and stopping a loopback test server from `Tests/Servers/`: the one launch that
/// ``LoopbackServer`` and ``TestSMTPServer`` share.
public enum ServerProcess {
    /// Runs `arguments` (a command on `PATH` and its arguments) and reads the port the server
    /// prints as its first line; on no port within 20 s the process group is killed,
    /// `directory` removed and `failure()` thrown. Its stderr is captured for that message.
    public static func start(_ arguments: [String], environment: [String: String]? = nil, directory: URL,
                      failure: (String) -> any Error) throws -> (process: ChildProcess, port: Int) {
        let process = try ChildProcess(arguments[0], Array(arguments.dropFirst()), environment: environment)
        let line: String?
        do { line = try process.firstLineBlocking(within: 20) } catch { line = nil }
        guard let port = line.flatMap({ Int($0) }) else {
            process.kill()
            _ = try? process.waitForExit(within: 10)
            try? FileManager.default.removeItem(at: directory)
            throw failure(String(decoding: process.stderr.suffix(2_000), as: UTF8.self))
        }
        return (process, port)
    }

    /// Terminates `process` (SIGKILL to its group after 5 s), waits for it and removes `directory`.
    public static func stop(_ process: ChildProcess, directory: URL) {
        process.terminateBlocking(grace: 5)
        process.kill()  // anything it started and left behind
        try? FileManager.default.removeItem(at: directory)
    }
}
