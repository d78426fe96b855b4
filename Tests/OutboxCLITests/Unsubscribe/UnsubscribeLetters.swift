import Foundation
import OutboxTestSupport
import Testing

/// A sales department sending customer letters and invoices through the relay (mode
/// `system`, signed with the company's DKIM key), with the bounce domain whose mail reaches
/// Outbox's doors.
struct UnsubscribeLetters {
    let guide: ProfileGuide
    var verifiers = DKIMVerifiers()
    static let bounceDomain = "bounce.firma.ee"

    /// - Parameter url: `[bounces] unsubscribe-url`, if any.
    init(relayPort: Int, url: String? = nil, extra: String = "") throws {
        guide = try ProfileGuide(conf: """
            [relay]
            host = 127.0.0.1
            port = \(relayPort)
            tls = none
            [bounces]
            domain = \(Self.bounceDomain)
            \(url.map { "unsubscribe-url = \($0)" } ?? "")
            \(extra)
            """)
        for owner in ["sales", "tugi"] {
            try guide.run(["profile", "set", owner, "--mode", "system", "--from", "\(owner)@firma.ee"])
        }
        try verifiers.publish(keygenOutput: guide.run(["dkim", "keygen", "--domain", "firma.ee", "--selector", "s1"]).stdout)
    }

    func cleanUp() { guide.cleanUp() }

    /// Enqueues one message of `owner` to `to` of `kind` with `subject`, as the ERP would.
    func enqueue(owner: String = "sales", kind: String, to: String = "mari@example.ee", subject: String) throws {
        let batch = try guide.workspace.write("batch-\(UUID().uuidString).json", """
            {"owner": "\(owner)", "kind": "\(kind)", "subject": "\(subject)", "text": "Tere, Mari!\\n\\nUudised on siin.",
             "messages": [{"to": [{"address": "\(to)", "name": "Mari Maasikas"}]}]}
            """)
        try guide.run(["enqueue", batch])
    }

    /// Enqueues a letter of sales to mari@example.ee with `subject`, sends it through `relay`
    /// and returns the token of its List-Unsubscribe.
    func sendLetter(subject: String, relay: TestSMTPServer, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try enqueue(kind: "letter", subject: subject)
        #expect(try guide.serveOnce().stdout.contains("sent 1"), sourceLocation: sourceLocation)
        let letter = try Self.message(try relay.messages(), subject: subject, sourceLocation: sourceLocation)
        let value = try #require(Self.parsedListHeaders(letter)["List-Unsubscribe"]?.first, sourceLocation: sourceLocation)
        return try Self.token(in: value, sourceLocation: sourceLocation)
    }

    /// The received message with `subject`.
    static func message(_ received: [ServerEvent], subject: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [UInt8] {
        try #require(received.first { $0.text.contains("\r\nSubject: \(subject)\r\n") }?.bytes, sourceLocation: sourceLocation)
    }

    /// The List-Unsubscribe and List-Unsubscribe-Post fields as Python's `email` parser
    /// (policy.default) reads them: name → every value (unfolded).
    static func parsedListHeaders(_ message: [UInt8]) throws -> [String: [String]] {
        let file = NSTemporaryDirectory() + "outbox-unsub-\(UUID().uuidString).eml"
        try Data(message).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let script = """
            import email, email.policy, json, sys
            m = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=email.policy.default)
            assert not m.defects, m.defects
            print(json.dumps({n: [str(v) for v in (m.get_all(n) or [])] for n in ('List-Unsubscribe', 'List-Unsubscribe-Post')}))
            """
        let data = try ToolProcess.output(["python3", "-c", script, file])
        guard let parsed = try JSONSerialization.jsonObject(with: data) as? [String: [String]] else {
            throw TestServerError(message: "python3 printed no JSON object")
        }
        return parsed.filter { !$0.value.isEmpty }
    }

    /// The token of the `mailto:unsubscribe+TOKEN@` address in a List-Unsubscribe value.
    static func token(in value: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let start = try #require(value.range(of: "<mailto:unsubscribe+"), sourceLocation: sourceLocation).upperBound
        let end = try #require(value[start...].firstIndex(of: "@"), sourceLocation: sourceLocation)
        return String(value[start..<end])
    }

    /// An unsubscribe request as a mail client sends it to the `mailto:` address.
    static func request(to address: String, from: String = "mari@example.ee", id: String = UUID().uuidString) -> String {
        """
        From: Mari Maasikas <\(from)>\r
        To: \(address)\r
        Subject: unsubscribe\r
        Date: Tue, 24 Nov 2026 09:12:40 +0000\r
        Message-ID: <\(id)@example.ee>\r
        \r
        unsubscribe\r

        """
    }

    /// The `unsubscribed`/`unsubscribe-ignored`/`suppressed` events as `outbox events --json` prints them.
    func events(_ kind: String) throws -> [[String: Any]] { try guide.events(kind) }
}
