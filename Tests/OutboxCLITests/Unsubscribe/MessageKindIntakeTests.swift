import Foundation
import OutboxTestSupport
import Testing

/// What `outbox enqueue` refuses about message kinds: exit 65, the message, field and reason,
/// and nothing enqueued.
@Suite(.timeLimit(.minutes(10))) struct MessageKindIntakeTests {
    @Test(arguments: [
        (#""kind": "invoice", "unsubscribe": true"#, "field 'unsubscribe': an invoice never carries List-Unsubscribe"),
        (#""kind": "transactional", "unsubscribe": true"#, "field 'unsubscribe': transactional mail cannot be unsubscribed from"),
        (#""kind": "letter", "unsubscribe": false"#, "field 'unsubscribe': a letter always offers List-Unsubscribe"),
        (#""kind": "newsletter""#, "field 'kind': kind 'newsletter' is not one of transactional, invoice, letter"),
        (#""kind": "invoice", "headers": {"List-Unsubscribe": "<mailto:x@y.ee>"}"#, "field 'headers.List-Unsubscribe': an invoice never carries"),
        (#""kind": "letter", "headers": {"list-unsubscribe-post": "List-Unsubscribe=One-Click"}"#,
         "Outbox writes list-unsubscribe-post for letters itself"),
        (#""kind": "letter", "to": [], "bcc": ["archive@firma.ee"]"#, "field 'to': a letter needs a 'to' recipient"),
    ])
    func refusedWithMessageAndField(members: String, error: String) throws {
        let guide = try ProfileGuide()
        defer { guide.cleanUp() }
        let batch = try guide.workspace.write("batch.json", """
            {"owner": "sales", "subject": "S", "text": "T", "messages": [{"to": ["ok@example.ee"]}, {\(members.contains("\"to\"") ? "" : #""to": ["mari@example.ee"], "#)\(members)}]}
            """)
        let result = try guide.outbox.run(["enqueue", batch])
        #expect(result.status == 65 && result.stderr.contains("messages[1]") && result.stderr.contains(error), "\(result.stderr)")
        #expect(result.stderr.contains("nothing was enqueued"))
        #expect(try guide.outbox.run(["list", "--json"]).json() as? [Any] == nil || (try guide.outbox.run(["list", "--json"]).json() as? [Any])?.isEmpty == true)
    }

    /// A batch-level `"unsubscribe": true` reaching an invoice names the batch as its origin.
    @Test func batchDefaultReachingAnInvoiceIsRefused() throws {
        let guide = try ProfileGuide()
        defer { guide.cleanUp() }
        let batch = try guide.workspace.write("batch.jsonl", """
            {"batch": {"owner": "sales", "subject": "S", "text": "T", "unsubscribe": true}}
            {"to": ["mari@example.ee"]}
            {"to": ["jaan@example.ee"], "kind": "invoice"}
            """)
        let result = try guide.outbox.run(["enqueue", batch])
        #expect(result.status == 65 && result.stderr.contains("line 3") && result.stderr.contains("(set by the batch)"), "\(result.stderr)")
    }

    /// Mail merge: `--kind letter` makes every merged message a letter (its preview carries
    /// List-Unsubscribe); an unknown kind is a usage error.
    @Test func mailMergeMarksLetters() throws {
        let guide = try ProfileGuide(conf: "[bounces]\ndomain = b.firma.ee\n[dkim]\nsign-modes = none\n[relay]\nhost = 127.0.0.1\nport = 2525\ntls = none\n")
        defer { guide.cleanUp() }
        try guide.run(["profile", "set", "sales", "--mode", "system", "--from", "sales@firma.ee"])
        let template = try guide.workspace.write("letter.mustache", "Tere, {{name}}!\n")
        let csv = try guide.workspace.write("customers.csv", "email,name\nmari@example.ee,Mari\njaan@example.ee,Jaan\n")
        try guide.run(["enqueue", "--template", template, "--recipients", csv, "--subject", "Uudised", "--owner", "sales", "--kind", "letter"])
        for id in ["1", "2"] {
            let preview = try guide.run(["show", id, "--eml", "--config", guide.configPath]).stdout
            #expect(preview.contains("List-Unsubscribe: <mailto:unsubscribe+") && preview.contains("@b.ee>") == false && preview.contains("@b.firma.ee>"))
        }
        let bad = try guide.outbox.run(["enqueue", "--template", template, "--recipients", csv, "--subject", "U", "--owner", "sales", "--kind", "promo"])
        #expect(bad.status == 64 && bad.stderr.contains("--kind must be one of transactional, invoice, letter"), "\(bad.stderr)")
    }
}
