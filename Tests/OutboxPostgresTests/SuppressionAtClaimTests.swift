import Foundation
import OutboxTestSupport
import Testing

/// The suppression list holds on both stores at claim: a recipient whose address is on it is
/// not sent to (`suppressed`, with its event), the others are, and `events`/`show` print the
/// same on SQLite and PostgreSQL.
@Suite(.serialized, .timeLimit(.minutes(10))) struct SuppressionAtClaimTests {
    @Test func aSuppressedAddressIsNotSentToOnEitherStore() async throws {
        let sqlite = try await StoreFixture(.sqlite), postgres = try await StoreFixture(.postgres)
        defer { sqlite.close(); postgres.close() }
        let cluster = try #require(postgres.cluster)
        var transcripts: [StoreKind: String] = [:]
        for (kind, fixture) in [(StoreKind.sqlite, sqlite), (.postgres, postgres)] {
            let database = kind == .sqlite ? fixture.directory + "/outbox.db" : cluster.url(database: "outbox")
            let server = try TestSMTPServer()
            defer { server.stop() }
            let port = server.port
            let config = try fixture.file("send.conf", Array("[dkim]\nsign-modes = none\n".utf8))
            let batch = try fixture.file("b.json", Array(#"""
                {"key": "B1", "owner": "billing", "kind": "invoice", "subject": "Arve", "text": "Tere",
                 "messages": [{"to": ["Gone@Example.com"]}, {"to": ["ok@example.com", " gone@example.com"]}]}
                """#.utf8))
            let outbox = OutboxProcess(database: database)
            transcripts[kind] = try await onDedicatedThread {
                #expect(try outbox.run(["profile", "set", "billing", "--host", "127.0.0.1", "--port", "\(port)", "--tls", "none",
                                        "--from", "billing@firma.example"]).status == 0)
                var transcript = ""
                for arguments in [["suppressions", "add", "gone@example.com", "--reason", "dead address, by hand"], ["enqueue", batch],
                                  ["serve", "--once", "--config", config], ["events", "--kind", "suppressed"], ["list"]] {
                    let result = try outbox.run(arguments)
                    #expect(result.status == 0, "\(arguments): \(result.stderr)")
                    if arguments[0] != "serve" { transcript += "$ \(arguments.joined(separator: " "))\n\(result.stdout)" }
                }
                return transcript.replacingOccurrences(of: fixture.directory, with: "DIR")
                    .replacing(/\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?Z?/, with: "TIME")
            }
            #expect(try server.messages().flatMap { $0.rcptTos ?? [] } == ["ok@example.com"], "\(kind): only the unsuppressed recipient is sent to")
        }
        #expect(transcripts[.postgres] == transcripts[.sqlite])
        let shown = try #require(transcripts[.sqlite])
        #expect(shown.components(separatedBy: "not attempted: address is on the suppression list (dead address, by hand)").count == 3, "\(shown)")
    }
}
