import Foundation
import OutboxTestSupport
import Testing

/// Files and checks the inline-image, dry-run and mail-merge tests share.
enum ComposeFixtures {
    /// A small valid PNG (1×1, opaque) and a GIF (1×1).
    static let png: [UInt8] = Array(Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==")!)
    static let gifBase64 = "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"

    /// Counts rows of `table` in the database at `path` (Python's sqlite3, read-only).
    static func rows(_ table: String, in path: String) throws -> Int {
        let output = try python(["-c", "import sqlite3, sys; db = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True); "
                                    + "print(db.execute('SELECT count(*) FROM ' + sys.argv[2]).fetchone()[0])", path, table])
        return Int(output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    /// Python's `email` parser's view of a message: the MIME tree, and each part's
    /// Content-ID and disposition, as `type<cid>/disposition`.
    static func pythonStructure(_ message: [UInt8]) throws -> (tree: String, parts: [String]) {
        let file = NSTemporaryDirectory() + "outbox-eml-" + UUID().uuidString
        try Data(message).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let script = """
            import email, email.policy, sys
            msg = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=email.policy.default)
            def tree(p):
                return p.get_content_type() + ('(' + ','.join(tree(c) for c in p.iter_parts()) + ')' if p.is_multipart() else '')
            print(tree(msg))
            html = msg.get_body(preferencelist=('html',))
            print('html-body:' + (html.get_content_type() if html is not None else 'none'))
            for p in msg.walk():
                if not p.is_multipart():
                    print(p.get_content_type() + (str(p['content-id']) if p['content-id'] else '') + '/' + str(p.get_content_disposition()))
            """
        let lines = try python(["-c", script, file]).split(separator: "\n").map(String.init)
        return (lines.first ?? "", Array(lines.dropFirst()))
    }

    static func python(_ arguments: [String]) throws -> String {
        let result = try ChildProcess.runBlocking("python3", arguments)
        #expect(result.status == 0, "python3 \(arguments.prefix(1)): \(result.stderrText.suffix(2_000))")
        return result.stdoutText
    }
}

extension ProfileGuide {
    /// Owner `juri` sending in system mode as `juri@firma.ee`, with an RSA key `s1` for
    /// firma.ee made by `outbox dkim keygen`; the verifiers know its public key.
    func signingSender() throws -> DKIMVerifiers {
        try run(["profile", "set", "juri", "--mode", "system", "--from", "juri@firma.ee", "--from-name", "Jüri Õunapuu"])
        var verifiers = DKIMVerifiers()
        try verifiers.publish(keygenOutput: run(["dkim", "keygen", "--domain", "firma.ee", "--selector", "s1"]).stdout)
        return verifiers
    }
}
