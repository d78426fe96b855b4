import Foundation
import OutboxTestSupport
import Testing

/// `notBefore` and `expiresAt` in the batch document, through the real binary and aiosmtpd.
@Suite(.timeLimit(.minutes(10))) struct MessageScheduleTests {
    /// RFC 3339 with a +02:00 offset (the time zone of the ERPs that use it), `seconds` from now.
    static func time(_ seconds: Double) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(secondsFromGMT: 7200)
        return formatter.string(from: Date().addingTimeInterval(seconds))
    }

    static func batch(_ schedule: String, key: String = "B1") -> String {
        #"{"key": "\#(key)", "owner": "alice", "subject": "Meeldetuletus", "text": "Tere!", \#(schedule) "messages": [{"key": "\#(key)-1", "to": ["klient@example.ee"]}]}"#
    }

    static func profile(_ workspace: Workspace, port: Int) throws {
        let set = try workspace.outbox.run(["profile", "set", "alice", "--mode", "smtp", "--host", "127.0.0.1", "--port", String(port),
                                            "--tls", "none", "--from", "alice@firma.example"])
        #expect(set.status == 0, "\(set.stderr)")
    }

    @Test(arguments: [
        (#""notBefore": "2026-12-02 08:00","#, "field 'notBefore': notBefore '2026-12-02 08:00' is not an RFC 3339 time"),
        (#""expiresAt": "2030-12-02T08:00:00","#, "field 'expiresAt': expiresAt '2030-12-02T08:00:00' is not an RFC 3339 time with an offset"),
        (#""notBefore": "2030-12-02T08:00:00+02:00", "expiresAt": "2030-12-02T06:00:00Z","#, "is not after notBefore"),
        (#""expiresAt": "2020-01-01T00:00:00+02:00","#, "expiresAt 2020-01-01T00:00:00+02:00 has already passed"),
    ])
    func badTimesAreRefusedNamingTheFieldAndNothingIsWritten(schedule: String, expected: String) throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let result = try workspace.outbox.run(["enqueue", "-"], stdin: Self.batch(schedule))
        #expect(result.status == 65)
        #expect(result.stderr.contains(expected), "\(result.stderr)")
        #expect((try workspace.outbox.run(["list", "--json"]).json() as? [Any])?.isEmpty == true)
    }

    @Test func aPerMessageTimeOverridesTheBatchDefault() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let lines = """
            {"batch": {"key": "B2", "owner": "alice", "subject": "S", "text": "x", "notBefore": "2030-01-01T08:00:00+02:00"}}
            {"to": ["a@example.ee"]}
            {"to": ["b@example.ee"], "notBefore": "2031-01-01T00:00:00Z", "expiresAt": "2031-01-02T00:00:00Z"}
            """
        #expect(try workspace.outbox.run(["enqueue", "-"], stdin: lines).status == 0)
        let listed = try #require(try workspace.outbox.run(["list", "--json"]).json() as? [[String: Any]])
        #expect(listed.map { $0["notBefore"] as? Int64 } == [1_893_477_600_000, 1_924_992_000_000])
        #expect(listed.map { $0["expiresAt"] as? Int64 } == [nil, 1_925_078_400_000])
        #expect(try workspace.outbox.run(["list"]).stdout.contains("2031-01-02 00:00:00Z"))
        #expect(try workspace.outbox.run(["show", "2"]).stdout.contains("not before: 2031-01-01 00:00:00Z  expires: 2031-01-02 00:00:00Z"))
    }

    @Test func notBeforeHoldsAMessageUntilItIsDue() throws {
        try withTestSMTPServer { smtp in
            let workspace = try Workspace()
            defer { workspace.cleanUp() }
            try Self.profile(workspace, port: smtp.port)
            let due = Date().addingTimeInterval(15)
            #expect(try workspace.outbox.run(["enqueue", "-"], stdin: Self.batch(#""notBefore": "\#(Self.time(15))","#)).status == 0)
            let early = try workspace.outbox.run(["serve", "--once"])
            #expect(early.stdout.contains("sent 0"), "\(early.stdout)\(early.stderr)")
            #expect(try smtp.messages().isEmpty)
            Thread.sleep(until: due.addingTimeInterval(0.5))
            let onTime = try workspace.outbox.run(["serve", "--once"])
            #expect(onTime.stdout.contains("sent 1"), "\(onTime.stdout)\(onTime.stderr)")
            #expect(try smtp.messages().count == 1)
        }
    }

    /// The server answers 451 until the message's expiresAt: it fails as `expired` (with
    /// an `expired` event, reason `expired`) instead of going out late.
    @Test func expiresAtFailsAMessageThatCouldNotGoOutInTime() throws {
        try withTestSMTPServer(["--mail-reply", "451 4.3.0 Busy, try later"]) { smtp in
            let workspace = try Workspace()
            defer { workspace.cleanUp() }
            try Self.profile(workspace, port: smtp.port)
            let config = try workspace.write("outbox.conf", "[retry]\nfirst-delay = 1s\nmax-delay = 1m\n")
            #expect(try workspace.outbox.run(["enqueue", "-"], stdin: Self.batch(#""expiresAt": "\#(Self.time(12))","#)).status == 0)
            let daemon = try ServeDaemon(database: workspace.directory + "/outbox.db", arguments: ["--config", config, "--poll", "50ms"],
                                         logPath: workspace.directory + "/serve.log")
            defer { daemon.stop() }
            func state() throws -> [String: Any] { try workspace.outbox.run(["show", "--json", "1"]).json() as? [String: Any] ?? [:] }
            #expect(try eventually(within: 40) { (try state()["summary"] as? [String: Any])?["state"] as? String == "failed" }, "\(daemon.log)")
            let summary = try #require(try state()["summary"] as? [String: Any])
            #expect((summary["lastError"] as? String)?.hasPrefix("expired: not sent before its expiresAt") == true, "\(summary)")
            #expect((summary["attempts"] as? Int ?? 0) >= 1, "it was tried (and deferred) before it expired")
            let events = try #require(try workspace.outbox.run(["events", "--kind", "expired", "--json"]).json() as? [[String: Any]])
            #expect(events.count == 1 && events.first?["reason"] as? String == "expired" && events.first?["messageID"] as? Int == 1)
            let recipients = try #require(try state()["recipients"] as? [[String: Any]])
            #expect(recipients.first?["state"] as? String == "failed")
            #expect(try smtp.messages().isEmpty)
        }
    }
}
