import Foundation
import OutboxTestSupport
import Testing

/// Webhooks out, end to end: the real `outbox` binary (`webhooks add`, `serve`, `bounces
/// ingest`), aiosmtpd as the mail server and `webhook_receiver.py` on loopback, which
/// checks every signature itself.
@Suite(.timeLimit(.minutes(10))) struct WebhookDeliveryTests {
    /// A database, an aiosmtpd server alice's profile sends through, and a receiver.
    final class Setup {
        let directory = NSTemporaryDirectory() + "outbox-webhooks-" + UUID().uuidString
        let smtp: TestSMTPServer
        let receiver: LoopbackServer
        let secretFile: String
        var cli: OutboxBinary { OutboxBinary(database: directory + "/outbox.db") }

        init(receiver arguments: [String] = [], smtp smtpArguments: [String] = []) throws {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            secretFile = directory + "/secret"
            _ = FileManager.default.createFile(atPath: secretFile, contents: Data("not yet".utf8))
            smtp = try TestSMTPServer(smtpArguments)
            receiver = try LoopbackServer("webhook_receiver.py", ["--secret-file", secretFile] + arguments)
            let set = try cli.run(["profile", "set", "alice", "--mode", "smtp", "--host", "127.0.0.1", "--port", String(smtp.port),
                                   "--tls", "none", "--from", "alice@firma.test"])
            #expect(set.status == 0, "\(set.stderr)")
        }

        /// `outbox webhooks add` for `events`; the printed secret goes to the receiver.
        @discardableResult
        func addWebhook(_ events: String) throws -> Int {
            let added = try cli.run(["webhooks", "add", receiver.url + "/outbox", "--events", events, "--json"])
            #expect(added.status == 0, "\(added.stderr)")
            let json = try #require(try added.json() as? [String: String])
            try Data(try #require(json["secret"]).utf8).write(to: URL(fileURLWithPath: secretFile))
            return try #require(Int(json["id"] ?? ""))
        }

        func enqueue(_ key: String, batch: String) throws {
            let document = """
                {"key": "\(batch)", "owner": "alice", "subject": "Arve", "text": "Tere!",
                 "messages": [{"key": "\(key)", "to": ["nobody@customer.test"]}]}
                """
            let result = try cli.run(["enqueue", "-"], stdin: Array(document.utf8))
            #expect(result.status == 0, "\(result.stderr)")
        }

        /// `outbox serve` with `[webhooks] poll-interval = 1s` and the `webhooks` lines.
        func serve(_ webhooks: String = "first-retry = 2s") throws -> ServeDaemon {
            let config = directory + "/outbox.conf"
            try Data("[webhooks]\npoll-interval = 1s\n\(webhooks)\n".utf8).write(to: URL(fileURLWithPath: config))
            return try ServeDaemon(database: directory + "/outbox.db", arguments: ["--config", config, "--poll", "50ms"],
                                   logPath: directory + "/serve-\(UUID().uuidString).log")
        }

        func deliveries() throws -> [[String: Any]] { try receiver.events("delivery") }

        func storedDeliveries() throws -> [[String: Any]] {
            try cli.run(["webhooks", "deliveries", "--json"]).json() as? [[String: Any]] ?? []
        }

        func sentCount() throws -> Int {
            ((try cli.run(["status", "--json"]).json() as? [String: Any])?["totals"] as? [String: Int])?["sent"] ?? 0
        }

        func cleanUp() {
            receiver.stop()
            smtp.stop()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    @Test func sentAndBouncedReachTheReceiverSignedWithTheApplicationsKeys() throws {
        let setup = try Setup()
        defer { setup.cleanUp() }
        try setup.addWebhook("sent,bounced")
        try setup.enqueue("INV-7", batch: "ERP-2026-12")
        let daemon = try setup.serve()
        defer { daemon.stop() }
        #expect(try eventually(within: 30) { try setup.deliveries().count == 1 }, "\(daemon.log)")

        let detail = try #require(try setup.cli.run(["show", "--json", "1"]).json() as? [String: Any])
        let token = try #require(detail["token"] as? String)
        let bounce = BounceWriter.postfix(token: token, recipient: "nobody@customer.test", status: "5.1.1",
                                          diagnostic: "550 5.1.1 <nobody@customer.test>: Recipient address rejected: User unknown")
        let ingested = try setup.cli.run(["bounces", "ingest", "-"], stdin: bounce)
        #expect(ingested.status == 0, "\(ingested.stderr)")
        #expect(try eventually(within: 30) { try setup.deliveries().count == 2 }, "\(daemon.log)")

        let received = try setup.deliveries()
        #expect(received.allSatisfy { $0["verified"] as? Bool == true }, "every delivery carries a valid signature")
        let payloads = received.compactMap { $0["payload"] as? [String: Any] }
        #expect(payloads.map { $0["kind"] as? String } == ["sent", "bounced"])
        for payload in payloads {
            #expect(payload["messageKey"] as? String == "INV-7" && payload["batchKey"] as? String == "ERP-2026-12")
            #expect(payload["owner"] as? String == "alice" && payload["messageId"] as? Int == 1)
            #expect((payload["time"] as? String)?.hasSuffix("Z") == true)
        }
        let bounced = try #require(payloads.last)
        #expect(bounced["recipient"] as? String == "nobody@customer.test" && bounced["reason"] as? String == "userunknown")
        #expect(bounced["code"] as? Int == 550 && bounced["enhancedCode"] as? String == "5.1.1")
        #expect(received.map { $0["event_id"] as? String } == payloads.map { ($0["id"] as? Int).map(String.init) })

        let stored = try setup.storedDeliveries()
        #expect(stored.count == 2 && stored.allSatisfy { $0["state"] as? String == "delivered" })
        #expect(stored.allSatisfy { ($0["history"] as? [[String: Any]])?.first?["status"] as? Int == 200 })
        #expect(try setup.cli.run(["webhooks", "list"]).stdout.contains(setup.receiver.url + "/outbox"))

        usleep(5000)  // finished strictly before the purge's cutoff
        #expect(try setup.cli.run(["purge", "--older-than", "0s"]).status == 0)
        #expect(try setup.storedDeliveries().isEmpty, "purge removes finished deliveries with their messages")
    }

    /// A 500 is retried with backoff; stopping `serve` keeps the cursor and the pending
    /// retry, and an event written while it was down is delivered after the restart.
    @Test func aFailedDeliveryIsRetriedAndARestartResumesWhereItStopped() throws {
        let setup = try Setup(receiver: ["--statuses", "500,200"])
        defer { setup.cleanUp() }
        try setup.addWebhook("sent,bounced")
        try setup.enqueue("INV-8", batch: "ERP-R")
        var daemon = try setup.serve("first-retry = 3s")
        #expect(try eventually(within: 90) { try setup.deliveries().count == 1 }, "\(daemon.log)")
        #expect(daemon.stop() == 0)
        #expect(try setup.storedDeliveries().first?["state"] as? String == "pending")

        let token = try #require((try setup.cli.run(["show", "--json", "1"]).json() as? [String: Any])?["token"] as? String)
        _ = try setup.cli.run(["bounces", "ingest", "-"], stdin: BounceWriter.postfix(
            token: token, recipient: "nobody@customer.test", status: "5.1.1", diagnostic: "550 5.1.1 User unknown"))

        daemon = try setup.serve("first-retry = 3s")
        defer { daemon.stop() }
        #expect(try eventually(within: 90) { try setup.storedDeliveries().allSatisfy { $0["state"] as? String == "delivered" } }, "\(daemon.log)")
        let received = try setup.deliveries()
        #expect(received.map { $0["status"] as? Int } == [500, 200, 200])
        let kinds = received.compactMap { ($0["payload"] as? [String: Any])?["kind"] as? String }
        #expect(kinds.filter { $0 == "sent" }.count == 2 && kinds.filter { $0 == "bounced" }.count == 1, "\(kinds)")
        let sentIDs = Set(received.filter { ($0["payload"] as? [String: Any])?["kind"] as? String == "sent" }.map { $0["event_id"] as? String })
        #expect(sentIDs.count == 1, "a retried delivery carries the same event id (the receiver's dedupe key)")
        let retried = try #require(try setup.storedDeliveries().first { $0["eventKind"] as? String == "sent" })
        let history = try #require(retried["history"] as? [[String: Any]])
        #expect(history.map { $0["status"] as? Int } == [500, 200])
        #expect((history.first?["error"] as? String)?.contains("HTTP 500") == true)
    }

    /// A receiver that never answers holds one delivery slot of its own: mail keeps going
    /// out, and another endpoint keeps getting its deliveries.
    @Test func aHangingReceiverDelaysNeitherMailNorAnotherEndpoint() throws {
        let setup = try Setup(receiver: ["--hang"])
        defer { setup.cleanUp() }
        try setup.addWebhook("sent")
        let healthySecret = setup.directory + "/healthy-secret"
        let healthy = try LoopbackServer("webhook_receiver.py", ["--secret-file", healthySecret])
        defer { healthy.stop() }
        let added = try #require(try setup.cli.run(["webhooks", "add", healthy.url + "/ok", "--events", "sent", "--json"]).json() as? [String: String])
        try Data(try #require(added["secret"]).utf8).write(to: URL(fileURLWithPath: healthySecret))

        let daemon = try setup.serve("timeout = 30s\nconcurrency = 2")
        defer { daemon.stop() }
        try setup.enqueue("INV-H1", batch: "ERP-H1")
        #expect(try eventually(within: 30) { try setup.sentCount() == 1 }, "\(daemon.log)")
        usleep(1_500_000)  // the dispatcher now waits up to 30 s for the hanging receiver
        let start = Date()
        for index in 2...4 { try setup.enqueue("INV-H\(index)", batch: "ERP-H\(index)") }
        #expect(try eventually(within: 30) { try setup.sentCount() == 4 }, "\(daemon.log)")
        let mailElapsed = Date().timeIntervalSince(start)
        #expect(mailElapsed < 20, "three messages took \(mailElapsed) s while the receiver hung for 30 s")
        #expect(try eventually(within: 30) { try healthy.events("delivery").count == 4 }, "\(daemon.log)")
        let hooksElapsed = Date().timeIntervalSince(start)
        #expect(hooksElapsed < 20, "the healthy endpoint waited \(hooksElapsed) s behind the hanging one")
        #expect(try healthy.events("delivery").allSatisfy { $0["verified"] as? Bool == true })
        let hanging = try setup.storedDeliveries().filter { $0["endpointID"] as? Int == 1 }
        #expect(hanging.count == 4 && hanging.allSatisfy { $0["state"] as? String == "pending" })
    }

    /// `webhooks add` refuses what it cannot deliver safely, and stores nothing then; the
    /// secret is shown once and never again (not in `list`, not in the database in clear).
    @Test func addRefusesPlainHTTPToTheNetworkAndUnknownKindsAndShowsTheSecretOnce() throws {
        let directory = NSTemporaryDirectory() + "outbox-webhooks-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cli = OutboxBinary(database: directory + "/outbox.db")
        let plain = try cli.run(["webhooks", "add", "http://erp.example/hook", "--events", "bounced"])
        #expect(plain.status == 64 && plain.stderr.contains("uses plain http to a host that is not loopback"), "\(plain.stderr)")
        #expect(plain.stderr.contains("--allow-http"))
        let unknown = try cli.run(["webhooks", "add", "https://erp.example/hook", "--events", "bounced,bouncd"])
        #expect(unknown.status == 64 && unknown.stderr.contains("unknown kind(s) 'bouncd'"), "\(unknown.stderr)")

        let allowed = try cli.run(["webhooks", "add", "http://erp.example/hook", "--events", "bounced,unsubscribed", "--allow-http"])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        let secret = try #require(allowed.stdout.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
        #expect(secret.hasPrefix("whsec_") && secret.count == 70)
        let listed = try cli.run(["webhooks", "list", "--json"])
        #expect((try listed.json() as? [Any])?.count == 1, "only the allowed one was stored")
        #expect(!listed.stdout.contains(secret) && listed.stdout.contains("\"allowsPlainHTTP\":true"), "\(listed.stdout)")
        let stored = try Data(contentsOf: URL(fileURLWithPath: directory + "/outbox.db"))
        #expect(stored.range(of: Data(secret.utf8)) == nil, "the secret is stored sealed")
        #expect(try cli.run(["webhooks", "remove", "1"]).status == 0)
        #expect(try cli.run(["webhooks", "remove", "1"]).status != 0)
    }
}
