import Foundation
import OutboxTestSupport
import Testing

/// `serve --once` as cron runs it, through the real binary: the webhooks of what it did go
/// out before it exits (webhook_receiver.py on loopback checks each signature), and an
/// expired message is retried only with a new expiry (aiosmtpd on loopback).
@Suite(.timeLimit(.minutes(10))) struct ServeOnceTests {
    /// A workspace whose owner billing sends through `server`.
    static func workspace(sendingThrough server: TestSMTPServer) throws -> Workspace { try workspace(port: server.port) }

    static func workspace(port: Int) throws -> Workspace {
        let workspace = try Workspace()
        try sendThrough(port: port, workspace)
        return workspace
    }

    /// billing's profile: plain SMTP to 127.0.0.1:`port`.
    static func sendThrough(port: Int, _ workspace: Workspace) throws {
        let set = try workspace.outbox.run(["profile", "set", "billing", "--mode", "smtp", "--host", "127.0.0.1", "--port", String(port),
                                            "--tls", "none", "--from", "billing@firma.example"])
        #expect(set.status == 0, "\(set.stderr)")
    }

    static func enqueue(_ workspace: Workspace, key: String, expiresAt: String? = nil) throws {
        let expiry = expiresAt.map { #", "expiresAt": "\#($0)""# } ?? ""
        let document = #"{"key": "\#(key)", "owner": "billing", "subject": "Arve", "text": "Tere!", "messages": [{"key": "\#(key)-1", "to": ["mari@example.com"]\#(expiry)}]}"#
        let result = try workspace.outbox.run(["enqueue", "-"], stdin: document)
        #expect(result.status == 0, "\(result.stderr)")
    }

    /// `outbox webhooks add` for `events`, its secret handed to the receiver.
    static func addWebhook(_ workspace: Workspace, _ receiver: LoopbackServer, secretFile: String, events: String) throws {
        let added = try workspace.outbox.run(["webhooks", "add", receiver.url + "/outbox", "--events", events, "--json"])
        #expect(added.status == 0, "\(added.stderr)")
        let secret = try #require((try added.json() as? [String: String])?["secret"])
        try Data(secret.utf8).write(to: URL(fileURLWithPath: secretFile))
    }

    @Test func theWebhooksOfWhatItSentGoOutBeforeItExits() throws {
        try withTestSMTPServer { server in
            let workspace = try Self.workspace(sendingThrough: server)
            defer { workspace.cleanUp() }
            let secretFile = try workspace.write("secret", "not yet")
            try LoopbackServer.with("webhook_receiver.py", ["--secret-file", secretFile]) { receiver in
                try Self.addWebhook(workspace, receiver, secretFile: secretFile, events: "sent")
                try Self.enqueue(workspace, key: "ONCE-1")
                let once = try workspace.outbox.run(["serve", "--once"])
                #expect(once.status == 0, "\(once.stderr)")
                #expect(once.stdout.contains("sent 1"), "\(once.stdout)")
                // No daemon is left running: the delivery was made by the run that just ended.
                let deliveries = try receiver.events("delivery")
                #expect(deliveries.count == 1, "\(once.stderr)")
                #expect(deliveries.first?["verified"] as? Bool == true)
                #expect((deliveries.first?["payload"] as? [String: Any])?["kind"] as? String == "sent")
                let stored = try workspace.outbox.run(["webhooks", "deliveries", "--json"]).json() as? [[String: Any]]
                #expect(stored?.map { $0["state"] as? String } == ["delivered"])
            }
        }
    }

    @Test func aReceiverThatFailsDoesNotHoldTheRunAndIsRetriedByTheNextServe() throws {
        try withTestSMTPServer { server in
            let workspace = try Self.workspace(sendingThrough: server)
            defer { workspace.cleanUp() }
            let secretFile = try workspace.write("secret", "not yet")
            try LoopbackServer.with("webhook_receiver.py", ["--secret-file", secretFile, "--statuses", "500,200"]) { receiver in
                try Self.addWebhook(workspace, receiver, secretFile: secretFile, events: "sent")
                try Self.enqueue(workspace, key: "ONCE-2")
                let started = Date()
                let once = try workspace.outbox.run(["serve", "--once", "--grace", "5s"])
                #expect(once.status == 0, "\(once.stderr)")
                #expect(Date().timeIntervalSince(started) < 30)
                #expect(once.stderr.contains("1 to retry later"), "\(once.stderr)")
                let stored = try workspace.outbox.run(["webhooks", "deliveries", "--json"]).json() as? [[String: Any]]
                #expect(stored?.count == 1 && stored?.first?["state"] as? String == "pending", "\(stored ?? [])")
                #expect(try receiver.events("delivery").count == 1)
            }
        }
    }

    @Test func anExpiredMessageIsRetriedOnlyWithANewExpiry() async throws {
        // The server starts only for the send at the end (its lifetime is bounded): until
        // then the profile points at a port nothing listens on, which an expired message never reaches.
        let workspace = try Self.workspace(port: 9)
        defer { workspace.cleanUp() }
        do {
            let soon = Date().addingTimeInterval(15)  // far enough ahead for the enqueue (a process) to be in time on a starved machine
            try Self.enqueue(workspace, key: "EXP-1", expiresAt: ISO8601DateFormatter().string(from: soon))
            try await Task.sleep(for: .seconds(soon.timeIntervalSinceNow + 0.5))
            #expect(try await workspace.outbox.run(["serve", "--once"]).status == 0)
            let totals = (try await workspace.outbox.run(["status", "--json"]).json() as? [String: Any])?["totals"] as? [String: Int]
            #expect(totals?["failed"] == 1, "failed as expired at its claim: \(totals ?? [:])")
            #expect(try await workspace.outbox.run(["show", "1"]).stdout.contains("expired"))

            let refused = try await workspace.outbox.run(["retry", "1"])
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("message 1 is past its expiresAt") && refused.stderr.contains("--expires-at"), "\(refused.stderr)")
            let batch = try await workspace.outbox.run(["retry", "--batch", "1"])
            #expect(batch.stdout.contains("0 message(s) due now, 1 left alone past their expiry"), "\(batch.stdout) \(batch.stderr)")
            #expect(try await workspace.outbox.run(["retry", "1", "--expires-at", "yesterday"]).status == 64)
            #expect(try await workspace.outbox.run(["retry", "1", "--expires-at", "2020-01-01T00:00:00Z"]).stderr.contains("has already passed"))

            let retried = try await workspace.outbox.run(["retry", "1", "--expires-at", "1h"])
            #expect(retried.status == 0 && retried.stdout.contains("1 message(s) due now"), "\(retried.stderr)")
            let server = try TestSMTPServer()
            defer { server.stop() }
            try Self.sendThrough(port: server.port, workspace)
            let sent = try await workspace.outbox.run(["serve", "--once"])
            #expect(sent.stdout.contains("sent 1"), "\(sent.stdout) \(sent.stderr)")
            // The recipient that failed as expired is sent to: the message really went out.
            #expect(try server.messages().count == 1)
            let shown = try await workspace.outbox.run(["show", "1"]).stdout
            #expect(shown.contains("retried") && shown.contains("made due now by operator; expires"), "\(shown)")
        }
    }
}
