import Foundation
import OutboxTestSupport

/// A running aiosmtpd test server (`Tests/Servers/smtp_server.py`, reused unchanged) on an
/// ephemeral loopback port, with its JSON Lines log in a temporary directory. Adds one
/// behaviour through a small wrapper: `flaky` answers the first N `RCPT TO` of an address
/// with a given reply, then accepts. Call ``stop()``.
final class SMTPTestServer: @unchecked Sendable {
    let port: Int
    let directory: URL
    private let process: ChildProcess

    /// - Parameters:
    ///   - arguments: smtp_server.py options, e.g. `["--user", "u", "--password", "p"]`.
    ///   - flaky: address → (how many times, reply), e.g. `["a@x": (2, "451 4.3.0 Try later")]`.
    init(_ arguments: [String] = [], flaky: [String: (Int, String)] = [:], lifetime: Int = 900) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-dlv-smtp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var environment = ProcessInfo.processInfo.environment
        environment["OUTBOX_TEST_SERVERS"] = Self.serversDirectory
        environment["OUTBOX_TEST_FLAKY"] = flaky.map { "\($0.key)|\($0.value.0)|\($0.value.1)" }.joined(separator: ";")
        (process, port) = try ServerProcess.start(
            ["python3", "-c", Self.wrapper, "--log", directory.appendingPathComponent("log.jsonl").path] + arguments + ["--lifetime", String(lifetime)],
            environment: environment, directory: directory
        ) { TestFailure("smtp_server.py did not report a port (is aiosmtpd installed?): \($0)") }
    }

    /// Terminates the server and removes its directory.
    func stop() { ServerProcess.stop(process, directory: directory) }

    /// Everything the server logged so far.
    func events() throws -> [ServerEvent] {
        guard let data = try? Data(contentsOf: directory.appendingPathComponent("log.jsonl")) else { return [] }
        return data.split(separator: UInt8(ascii: "\n")).compactMap { try? JSONDecoder().decode(ServerEvent.self, from: Data($0)) }
    }

    /// The messages the server accepted.
    func messages() throws -> [ServerEvent] { try events().filter { $0.event == "message" } }

    /// The most connections the server had open at once (from its connect/disconnect log).
    func mostConcurrentConnections() throws -> Int {
        var open = 0, most = 0
        for event in try events() {
            if event.event == "connect" { open += 1 } else if event.event == "disconnect" { open -= 1 }
            most = max(most, open)
        }
        return most
    }

    /// Cheap count of received messages (log lines), for polling.
    func messageCount() -> Int {
        guard let data = try? Data(contentsOf: directory.appendingPathComponent("log.jsonl")) else { return 0 }
        return data.split(separator: UInt8(ascii: "\n")).filter { $0.starts(with: Array(#"{"event": "message""#.utf8)) }.count
    }

    private static var serversDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Servers").path
    }

    /// Imports smtp_server.py and wraps its RCPT handler with the flaky answers.
    private static let wrapper = """
        import os, sys
        sys.path.insert(0, os.environ["OUTBOX_TEST_SERVERS"])
        import smtp_server
        flaky = {}
        for item in filter(None, os.environ.get("OUTBOX_TEST_FLAKY", "").split(";")):
            address, count, reply = item.split("|", 2)
            flaky[address] = [int(count), reply]
        original = smtp_server.Handler.handle_RCPT
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            entry = flaky.get(address)
            if entry and entry[0] > 0:
                entry[0] -= 1
                return entry[1]
            return await original(self, server, session, envelope, address, rcpt_options)
        smtp_server.Handler.handle_RCPT = handle_RCPT
        sys.argv[0] = "smtp_server.py"
        sys.exit(smtp_server.main())
        """
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
