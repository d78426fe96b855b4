import Foundation
import OutboxPostgres
import OutboxTestSupport
import Testing

/// The copy into the Sent folder on a PostgreSQL outbox: two real `serve` nodes, aiosmtpd and
/// Dovecot with the same login (the password from a credential, as on PostgreSQL): every
/// message sent is appended once, byte for byte, with one `sent-copied` event.
@Suite(.serialized, .timeLimit(.minutes(10))) struct SentCopyOnPostgresTests {
    @Test func twoNodesCopyEachSentMessageOnce() async throws {
        let fixture = try await StoreFixture(.postgres)
        defer { fixture.close() }
        let cluster = try #require(fixture.cluster)
        let dovecot = try DovecotServer()
        defer { dovecot.stop() }
        try dovecot.createFolder("Sent")
        let smtp = try TestSMTPServer(["--user", DovecotServer.user, "--password", DovecotServer.password])
        defer { smtp.stop() }
        let credentials = fixture.directory + "/credentials"
        try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: true)
        try (DovecotServer.password + "\n").write(toFile: credentials + "/alice-smtp", atomically: true, encoding: .utf8)
        try cluster.sql("""
            INSERT INTO profile (owner, mode, host, port, tls, username, secret_credential, from_address, sent_copy_folder, sent_copy_url, updated_at)
            VALUES ('alice', 'smtp', '127.0.0.1', \(smtp.port), 'none', '\(DovecotServer.user)', 'alice-smtp', 'alice@firma.example', 'Sent',
                    'imap://127.0.0.1:\(dovecot.imapPort)', 1)
            """, database: "outbox")
        let total = 6
        let url = cluster.url(database: "outbox"), directory = fixture.directory
        let cli = OutboxProcess(database: url)
        let document = (0..<total).map { #"{"owner":"alice","to":["c\#($0)@customer.test"],"subject":"Arve \#($0)","text":"Tere"}"# }.joined(separator: "\n")
        let enqueued = try await cli.run(["enqueue", "-"], stdin: document)
        #expect(enqueued.status == 0, "\(enqueued.stderr)")
        let config = try fixture.file("outbox.conf", Array("[dkim]\nsign-modes = none\n[delivery]\nunknown-outcome = resend\n".utf8))
        let outcome = try await onDedicatedThread { () throws -> (done: Bool, logs: String) in
            let nodes = try (1...2).map {
                try ServeDaemon(database: url, arguments: ["--config", config, "--poll", "50ms"], logPath: "\(directory)/node-\($0).log",
                                environment: ["CREDENTIALS_DIRECTORY": credentials])
            }
            defer { for node in nodes { node.killIfRunning() } }
            let copied = { (try? cluster.sql("SELECT count(*) FROM event WHERE kind = 'sent-copied'", database: "outbox")).flatMap { Int($0) } ?? 0 }
            let done = eventually(within: 240) { copied() >= total }
            for node in nodes { _ = node.stop() }
            return (done, nodes.map(\.log).joined(separator: "\n"))
        }
        #expect(outcome.done, "\(outcome.logs.suffix(3_000))")
        #expect(try cluster.sql("SELECT kind, count(*) FROM event WHERE kind IN ('sent', 'sent-copied', 'sent-copy-failed') GROUP BY kind ORDER BY kind",
                                database: "outbox") == "sent|\(total)\nsent-copied|\(total)")
        #expect(try cluster.sql("""
            SELECT count(DISTINCT copy.message_id) FROM event copy JOIN event sent ON sent.message_id = copy.message_id AND sent.kind = 'sent'
            WHERE copy.kind = 'sent-copied' AND copy.id > sent.id AND copy.detail = 'copied to imap://127.0.0.1:\(dovecot.imapPort)/Sent'
            """, database: "outbox") == String(total))
        let copies = try dovecot.messages(inFolder: "Sent"), delivered = try smtp.messages().compactMap(\.bytes)
        #expect(copies.count == total && delivered.count == total)
        // Dovecot's maildir keeps lines ending in LF; the server got them in CRLF.
        let lines = { (bytes: [UInt8]) in bytes.filter { $0 != UInt8(ascii: "\r") } }
        #expect(Set(copies.map(lines)) == Set(delivered.map(lines)), "each copy is the message the server accepted, byte for byte")
    }
}
