import Foundation

/// A Python test server from `Tests/Servers/` on an ephemeral loopback port, with its own
/// temporary directory for the JSON Lines log. ``stop()`` (``with(_:_:_:)`` calls it)
/// terminates the process and removes the directory.
public final class LoopbackServer {
    public let port: Int
    public let directory: URL
    private let process: ChildProcess

    /// Starts `script` (a file in Tests/Servers) with `arguments`; `--log` is added.
    public init(_ script: String, _ arguments: [String] = []) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-oauth-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        (process, port) = try ServerProcess.start(
            ["python3", Self.serversDirectory.appendingPathComponent(script).path,
             "--log", directory.appendingPathComponent("log.jsonl").path, "--lifetime", "900"] + arguments,
            directory: directory) { LoopbackServerError(message: "\(script) did not report a port: \($0)") }
    }

    /// `http://127.0.0.1:PORT`.
    public var url: String { "http://127.0.0.1:\(port)" }

    /// Starts a server, runs `body` and always stops the server.
    public static func with<T>(_ script: String, _ arguments: [String] = [], _ body: (LoopbackServer) throws -> T) throws -> T {
        let server = try LoopbackServer(script, arguments)
        defer { server.stop() }
        return try body(server)
    }

    public func stop() { ServerProcess.stop(process, directory: directory) }

    /// Everything the server logged so far, one dictionary per line.
    public func events() throws -> [[String: Any]] {
        let path = directory.appendingPathComponent("log.jsonl")
        guard FileManager.default.fileExists(atPath: path.path) else { return [] }
        return try Data(contentsOf: path).split(separator: UInt8(ascii: "\n")).map {
            try JSONSerialization.jsonObject(with: Data($0)) as? [String: Any] ?? [:]
        }
    }

    /// The logged events whose `event` field is `name`.
    public func events(_ name: String) throws -> [[String: Any]] { try events().filter { $0["event"] as? String == name } }

    /// The JSON Lines log the server writes.
    public var logPath: String { directory.appendingPathComponent("log.jsonl").path }

    private static let serversDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Servers")
}

public struct LoopbackServerError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
