import Foundation

/// A running `Tests/Servers/smtp_server.py` (aiosmtpd) on an ephemeral loopback port, with
/// its own temporary directory for the JSON Lines log and TLS files. Call ``stop()``
/// (``withTestSMTPServer`` does): it terminates the process and removes the directory.
public final class TestSMTPServer {
    public let port: Int
    public let directory: URL
    private let process: ChildProcess

    /// Starts the server with `arguments` (e.g. `["--tls", "starttls"]`); `--log` is added.
    /// With `tls` other than plain, a certificate for localhost/127.0.0.1 is generated first.
    public init(_ arguments: [String] = [], tls: String = "plain") throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("outbox-smtp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var all = ["python3", Self.script, "--log", directory.appendingPathComponent("log.jsonl").path, "--tls", tls]
        if tls != "plain" {
            try TestCertificate.generate(in: directory)
            all += ["--cert", directory.appendingPathComponent("cert.pem").path, "--key", directory.appendingPathComponent("key.pem").path]
        }
        (process, port) = try ServerProcess.start(all + arguments + ["--lifetime", "900"], directory: directory) {
            TestServerError(message: "smtp_server.py did not report a port (is aiosmtpd installed?): \($0)")
        }
    }

    /// The self-signed certificate, which is also the CA file to verify the server with.
    public var certificatePath: String { directory.appendingPathComponent("cert.pem").path }

    /// Terminates the server, waits for it and removes its directory.
    public func stop() { ServerProcess.stop(process, directory: directory) }

    /// Everything the server logged so far.
    public func events() throws -> [ServerEvent] {
        let data = try Data(contentsOf: directory.appendingPathComponent("log.jsonl"))
        return try data.split(separator: UInt8(ascii: "\n")).map {
            try JSONDecoder().decode(ServerEvent.self, from: Data($0))
        }
    }

    /// The messages the server received (accepted, dropped or stalled).
    public func messages() throws -> [ServerEvent] { try events().filter { $0.event == "message" } }

    /// How many TCP connections the server accepted.
    public func connectionCount() throws -> Int { try events().filter { $0.event == "connect" }.count }

    private static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Servers/smtp_server.py").path
    }
}

/// Starts a server, runs `body` and always stops the server.
public func withTestSMTPServer<T>(
    _ arguments: [String] = [], tls: String = "plain", _ body: (TestSMTPServer) throws -> T
) throws -> T {
    let server = try TestSMTPServer(arguments, tls: tls)
    defer { server.stop() }
    return try body(server)
}

/// ``withTestSMTPServer(_:tls:_:)`` for async tests: the body may suspend.
public func withTestSMTPServer<T>(
    _ arguments: [String] = [], tls: String = "plain", _ body: (TestSMTPServer) async throws -> T
) async throws -> T {
    let server = try TestSMTPServer(arguments, tls: tls)
    defer { server.stop() }
    return try await body(server)
}

public struct TestServerError: Error, CustomStringConvertible {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
