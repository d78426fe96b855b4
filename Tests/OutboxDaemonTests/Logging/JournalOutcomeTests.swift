import Foundation
import Logging
import OutboxCore
import OutboxStore
import OutboxTestSupport
import Testing
@testable import OutboxDaemon

/// Every delivery outcome reaches journald with its structured fields, through the real
/// journald handler and `sd_journal_sendv`, received on a real datagram socket.
///
/// libsystemd sends to the fixed path `/run/systemd/journal/socket`, so the sending side runs
/// in a child process (this test binary, filtered to ``journalChild()``) in a mount namespace
/// of its own (`unshare --mount`, root only) where a temporary directory holding the test's
/// socket is bind-mounted over `/run`. The host's `/run` is not touched.
@Suite struct JournalOutcomeTests {
    static let childFlag = "OUTBOX_TEST_JOURNAL_CHILD"

    @Test(.enabled(if: geteuid() == 0, "unshare --mount needs root (CI runs as root)"))
    func everyOutcomeIsAJournalEntryWithItsFields() async throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.path + "/run/systemd/journal", withIntermediateDirectories: true)
        let socket = try DatagramSocket(path: directory.path + "/run/systemd/journal/socket")
        let testBinary = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        var environment = ProcessInfo.processInfo.environment
        for name in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "JOURNAL_STREAM"] { environment[name] = nil }
        environment[Self.childFlag] = "1"
        environment["INVOCATION_ID"] = "0123456789abcdef0123456789abcdef"  // as under systemd: the journald handler
        let childErrors = directory.path + "/child.stderr"
        let child = try ChildProcess("/usr/bin/unshare", ["--mount", "--propagation", "private", "/bin/sh", "-c", "mount --bind \"$0\" /run && exec \"$@\"",
                                                          directory.path + "/run", testBinary, "--testing-library", "swift-testing", "--filter", "journalChild"],
                                     environment: environment, stdout: .null, stderr: .file(childErrors))

        // Read while the child runs, so its datagrams never fill the socket's queue.
        var entries: [[String: String]] = []
        let deadline = Date().addingTimeInterval(120)
        while child.isRunning, Date() < deadline {
            if let datagram = await socket.receive(within: .milliseconds(200)) { entries.append(Self.fields(datagram)) }
        }
        while let datagram = socket.receive(timeout: .milliseconds(200)) { entries.append(Self.fields(datagram)) }
        let termination = try await child.exit(within: 10)
        let errors = (try? String(contentsOfFile: childErrors, encoding: .utf8)) ?? ""
        #expect(termination == .exited(0), "child failed: \(errors.suffix(2000))")

        let outcomes = entries.filter { $0["OUTBOX_MESSAGE_ID"] != nil }
        func entry(_ event: String) -> [String: String]? { outcomes.first { $0["OUTBOX_EVENT"] == event } }
        let sent = try #require(entry("sent"), "\(outcomes)")
        #expect(sent["PRIORITY"] == "6")
        #expect(sent["SMTP_CODE"] == "250")
        #expect(sent["OUTBOX_OWNER"] == "billing")
        #expect(sent["OUTBOX_BATCH_ID"] == "1")
        #expect(sent["SYSLOG_IDENTIFIER"] == "outbox")
        #expect(sent["OUTBOX_WORKER"] != nil)
        #expect(sent["MESSAGE"]?.contains("message \(sent["OUTBOX_MESSAGE_ID"]!) of billing: sent") == true)
        let deferred = try #require(entry("deferred"), "\(outcomes)")
        #expect(deferred["SMTP_CODE"] == "451")
        #expect(deferred["SMTP_ENHANCED_CODE"] == "4.2.0")
        let failed = try #require(entry("failed"), "\(outcomes)")
        #expect(failed["SMTP_CODE"] == "550")
        #expect(failed["PRIORITY"] == "4")
        let held = try #require(entry("profile-held"), "\(outcomes)")
        #expect(held["OUTBOX_OWNER"] == "sales")
        #expect(held["OUTBOX_BATCH_ID"] == "2")
        #expect(held["MESSAGE"]?.contains("no relay is configured") == true)
        #expect(Set(outcomes.compactMap { $0["OUTBOX_MESSAGE_ID"] }) == ["1", "2", "3", "4"])
    }

    /// The sending side; runs only inside the child started by ``everyOutcomeIsAJournalEntryWithItsFields()``.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[childFlag] == "1"))
    func journalChild() throws {
        #expect(LoggingSetup.bootstrap(level: .info) == .journald)
        let outbox = try ServiceOutbox()
        try withTestSMTPServer(["--rcpt-reply", "later@example.net=451 4.2.0 Mailbox busy", "--rcpt-reply", "gone@example.net=550 5.1.1 No such user"]) { server in
            try outbox.setProfile("billing", port: server.port)
            try outbox.setProfile("sales", mode: .system)
            try outbox.enqueue(owner: "billing", to: ["ok@example.net", "later@example.net", "gone@example.net"])
            try outbox.enqueue(owner: "sales", to: ["k@example.net"])
            let summary = try OutboxService(database: outbox.database, settings: ServiceSettings(delivery: ServiceOutbox.delivery()),
                                            watchdogInterval: nil).runOnce()
            #expect(summary.sent == 1 && summary.deferred == 1 && summary.failed == 1 && summary.held == 1, "\(summary)")
        }
    }

    /// A native-protocol datagram's `NAME=value` lines (binary-length fields are not used here).
    static func fields(_ datagram: String) -> [String: String] {
        var fields: [String: String] = [:]
        for line in datagram.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            fields[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return fields
    }
}
