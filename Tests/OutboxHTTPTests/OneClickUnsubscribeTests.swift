import Foundation
import OutboxTestSupport
import Testing

/// One-click unsubscribe (RFC 8058) through the listener of a running `outbox serve`: the
/// URL is taken from the List-Unsubscribe header of a letter really sent to aiosmtpd, and
/// requested by Python's http.client without an API token.
@Suite(.timeLimit(.minutes(10))) struct OneClickUnsubscribeTests {
    static let base = "https://mail.firma.example/u/"

    static func letters(_ key: String, kind: String, to address: String) -> String {
        #"{"key": "\#(key)", "owner": "billing", "kind": "\#(kind)", "subject": "Uudised", "text": "Tere", "messages": [{"key": "\#(key)-1", "to": ["\#(address)"]}]}"#
    }

    @Test func aLetterIsUnsubscribedByPostAndNeverByGet() async throws {
        try await withTestSMTPServer { server in
            let serve = try APIServe(config: "[relay]\nhost = 127.0.0.1\nport = \(server.port)\ntls = none\n"
                                     + "[bounces]\ndomain = bounces.firma.example\nunsubscribe-url = \(Self.base)\n") { workspace in
                let database = workspace.directory + "/outbox.db"
                _ = try workspace.outbox.run(["profile", "set", "billing", "--db", database, "--mode", "system", "--from", "billing@firma.example"])
                _ = try workspace.outbox.run(["dkim", "keygen", "--db", database, "--domain", "firma.example", "--selector", "s1", "--algorithm", "ed25519"])
            }
            defer { serve.stop() }
            let token = try await serve.token("erp")
            #expect(try await serve.call("POST", "/v1/batches", token: token, body: Self.letters("L1", kind: "letter", to: "mari@example.ee")).status == 201)
            try await APIEventsTests.waitUntilSent(serve, batch: "L1", count: 1, token: token)

            // The URL the letter carries, with the public base replaced by the listener.
            let letter = String(decoding: try #require(try server.messages().first?.bytes), as: UTF8.self)
                .replacingOccurrences(of: "\r\n ", with: " ").replacingOccurrences(of: "\r\n\t", with: " ")
            let header = try #require(letter.split(separator: "\r\n").first { $0.hasPrefix("List-Unsubscribe:") })
            let url = try #require(header.split(separator: "<").map { $0.prefix { $0 != ">" } }.first { $0.hasPrefix(Self.base) })
            let path = "/u/" + url.dropFirst(Self.base.count)
            #expect(letter.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"))

            // GET shows the confirmation page and changes nothing (link scanners fetch URLs).
            let page = try await serve.call("GET", path, token: nil)
            #expect(page.status == 200 && page.body.contains("<form method=\"post\">") && !page.body.contains("mari@example.ee"))
            #expect(try Self.unsubscribed(serve).isEmpty)
            // A POST without the one-click body is refused; one with it unsubscribes, once.
            #expect(try await serve.call("POST", path, token: nil, body: "").status == 400)
            let form = ["Content-Type": "application/x-www-form-urlencoded"]
            #expect(try await serve.call("POST", path, token: nil, body: "List-Unsubscribe=One-Click", headers: form).status == 200)
            #expect(try await serve.call("POST", path, token: nil, body: "List-Unsubscribe=One-Click", headers: form).status == 200)
            #expect(try Self.unsubscribed(serve) == ["mari@example.ee"])
            // An unknown token is answered 404, and the rest of the API still needs a token.
            #expect(try await serve.call("POST", "/u/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", token: nil, body: "List-Unsubscribe=One-Click", headers: form).status == 404)
            #expect(try await serve.call("GET", "/v1/batches/L1", token: nil).status == 401)

            // The owner's next letter to that address is suppressed; an invoice still goes.
            #expect(try await serve.call("POST", "/v1/batches", token: token, body: Self.letters("L2", kind: "letter", to: "mari@example.ee")).status == 201)
            #expect(try await serve.call("POST", "/v1/batches", token: token, body: Self.letters("I1", kind: "invoice", to: "mari@example.ee")).status == 201)
            try await APIEventsTests.waitUntilSent(serve, batch: "I1", count: 1, token: token)
            #expect(try await Self.eventuallySuppressed(serve, token: token))
            #expect(try server.messages().count == 2, "the first letter and the invoice")
        }
    }

    /// Addresses in `outbox suppressions list` (the letters-of-an-owner scope included).
    /// Whether a `suppressed` event appears within 120 s; the last look comes after the
    /// deadline, so a loop resumed late on a starved pool still sees the event.
    static func eventuallySuppressed(_ serve: APIServe, token: String) async throws -> Bool {
        let deadline = Date().addingTimeInterval(120)
        while true {
            let late = Date() >= deadline
            let events = try await serve.call("GET", "/v1/events?limit=500", token: token).json?["events"] as? [[String: Any]] ?? []
            if events.contains(where: { $0["kind"] as? String == "suppressed" }) { return true }
            if late { return false }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    static func unsubscribed(_ serve: APIServe) throws -> [String] {
        let result = try serve.outbox.run(["suppressions", "list", "--json", "--db", serve.database])
        let rows = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
        return rows.compactMap { $0["address"] as? String }
    }
}
