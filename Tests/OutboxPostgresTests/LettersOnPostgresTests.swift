import Foundation
import OutboxTestSupport
import Testing

/// Letters (`"kind": "letter"`, List-Unsubscribe) on both stores through the `outbox` binary,
/// sent by `serve --once` to aiosmtpd: the letter carries its unsubscribe URL and address,
/// a one-click POST of that URL to a `serve` listener of the same store unsubscribes, the
/// owner's next letter to the address is suppressed while an invoice to it still goes, and
/// everything printed on the way is the same on SQLite and PostgreSQL.
@Suite(.serialized, .timeLimit(.minutes(10))) struct LettersOnPostgresTests {
    static let base = "https://mail.firma.example/u/"
    static let sending = """
        [dkim]
        sign-modes = none
        [bounces]
        domain = bounces.firma.example
        unsubscribe-url = \(base)

        """

    @Test func aLetterUnsubscribedByOneClickSuppressesTheNextOnBothStores() async throws {
        let sqlite = try await StoreFixture(.sqlite), postgres = try await StoreFixture(.postgres)
        defer { sqlite.close(); postgres.close() }
        let cluster = try #require(postgres.cluster)
        var transcripts: [StoreKind: String] = [:]
        for (kind, fixture) in [(StoreKind.sqlite, sqlite), (.postgres, postgres)] {
            let database = kind == .sqlite ? fixture.directory + "/outbox.db" : cluster.url(database: "outbox")
            transcripts[kind] = try await Self.unsubscribeAndSendAgain(fixture, database: database)
        }
        #expect(transcripts[.postgres] == transcripts[.sqlite])
        let shown = try #require(transcripts[.sqlite])
        #expect(shown.contains("not attempted: unsubscribed from owner billing's letters on TIME"), "\(shown)")
        // The token stands for the letter's `to` address only (not its cc), lower-cased; invoices get none.
        #expect(try cluster.sql("SELECT message_id, address, owner FROM unsubscribe_token ORDER BY message_id", database: "outbox")
                == "1|mari@example.ee|billing\n2|mari@example.ee|billing")
        #expect(try cluster.sql("SELECT owner, address, source FROM unsubscription", database: "outbox") == "billing|mari@example.ee|one-click")
        #expect(try cluster.sql("SELECT m.kind, r.address, r.state FROM recipient r JOIN message m ON m.id = r.message_id WHERE m.id > 1 ORDER BY r.id",
                                database: "outbox") == "letter|mari@example.ee|suppressed\ninvoice|mari@example.ee|sent")
    }

    /// Enqueues a letter to mari (cc raamat) on `database`, sends it, POSTs its one-click URL to
    /// a listener on the same store, then sends a second letter and an invoice to mari; returns
    /// what the CLI printed on the way, tokens and times masked.
    static func unsubscribeAndSendAgain(_ fixture: StoreFixture, database: String) async throws -> String {
        let server = try TestSMTPServer()
        defer { server.stop() }
        let port = server.port
        let config = try fixture.file("send.conf", Array(sending.utf8))
        let listening = try fixture.file("listen.conf", Array((sending + "[http]\nlisten = 127.0.0.1:0\n").utf8))
        let first = try fixture.file("l1.json", Array(#"""
            {"key": "L1", "owner": "billing", "kind": "letter", "subject": "Uudised 1", "text": "Tere",
             "messages": [{"key": "L1-1", "to": [{"address": "Mari@Example.ee", "name": "Mari Maasikas"}], "cc": ["raamat@example.ee"]}]}
            """#.utf8))
        let second = try fixture.file("l2.json", Array(#"""
            {"key": "L2", "owner": "billing", "kind": "letter", "subject": "Uudised 2", "text": "Tere", "messages": [{"to": ["mari@example.ee"]}]}
            """#.utf8))
        let invoice = try fixture.file("i1.json", Array(#"""
            {"key": "I1", "owner": "billing", "kind": "invoice", "subject": "Arve", "text": "Tere", "messages": [{"to": ["mari@example.ee"]}]}
            """#.utf8))
        let directory = fixture.directory, outbox = OutboxProcess(database: database)
        @Sendable func run(_ list: [[String]]) throws -> String {
            var transcript = ""
            for arguments in list {
                let result = try outbox.run(arguments)
                #expect(result.status == 0, "\(arguments): \(result.stderr)")
                transcript += "$ \(arguments.joined(separator: " "))\n\(result.stdout)\(result.stderr)"
                    .replacingOccurrences(of: directory, with: "DIR")
            }
            return transcript
        }
        var transcript = try await onDedicatedThread {
            #expect(try outbox.run(["profile", "set", "billing", "--host", "127.0.0.1", "--port", "\(port)", "--tls", "none",
                                    "--from", "billing@firma.example"]).status == 0)
            return try run([["enqueue", first], ["show", "1"], ["serve", "--once", "--config", config], ["show", "1"]])
        }

        // The letter as received: List-Unsubscribe with the one-click URL and the unsubscribe address, and List-Unsubscribe-Post.
        let letter = String(decoding: try #require(try server.messages().first?.bytes), as: UTF8.self)
            .replacingOccurrences(of: "\r\n ", with: " ").replacingOccurrences(of: "\r\n\t", with: " ")
        let header = try #require(letter.split(separator: "\r\n").first { $0.hasPrefix("List-Unsubscribe:") })
        let url = try #require(header.split(separator: "<").map { $0.prefix { $0 != ">" } }.first { $0.hasPrefix(base) })
        let token = String(url.dropFirst(base.count))
        #expect(header.contains("<mailto:unsubscribe+\(token)@bounces.firma.example>"), "\(header)")
        #expect(letter.contains("\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"))

        transcript += try await onDedicatedThread {
            let node = try APINode(database: database, config: listening, log: directory + "/node.log")
            let done = try node.call("POST", "/u/\(token)", token: nil, body: "List-Unsubscribe=One-Click")
            node.stop()
            #expect(done.status == 200 && done.body.contains("<h1>Unsubscribed</h1>"), "\(done.body)")
            return try run([["enqueue", second], ["enqueue", invoice], ["serve", "--once", "--config", config], ["show", "2"], ["show", "3"],
                            ["events", "--kind", "suppressed"], ["events", "--kind", "unsubscribed"], ["suppressions", "list"]])
        }
        let received = try server.messages().map { String(decoding: $0.bytes ?? [], as: UTF8.self) }
        #expect(received.count == 2 && received.last?.contains("\r\nSubject: Arve\r\n") == true, "the first letter and the invoice")
        #expect(received.last?.contains("List-Unsubscribe") == false)
        // Log lines (stderr of serve) also carry milliseconds and the worker that sent.
        return BouncesOnPostgresTests.masked(transcript, tokens: [token])
            .replacingOccurrences(of: #"TIME\.\d+Z"#, with: "TIME", options: .regularExpression)
            .replacingOccurrences(of: #"worker=\d+"#, with: "worker=N", options: .regularExpression)
    }
}
