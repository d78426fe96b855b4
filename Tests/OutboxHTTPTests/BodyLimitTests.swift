import Foundation
import OutboxTestSupport
import Testing

/// A body over its limit is answered 413 naming the limit that refused it: `[http]
/// max-body-bytes` only where that setting governs (batches, attachment uploads), the fixed
/// limit otherwise (a retry's body, the login form, a one-click unsubscribe form), so no one
/// raises a setting that changes nothing.
@Suite(.timeLimit(.minutes(10))) struct BodyLimitTests {
    @Test func each413NamesTheLimitThatRefusedTheBody() throws {
        let serve = try APIServe(maxBodyBytes: 8_192)
        defer { serve.stop() }
        let token = try serve.token("erp")
        let batch = #"{"key": "L1", "owner": "billing", "subject": "Arve", "text": "Tere", "notBefore": "2030-01-01T08:00:00+00:00", "messages": [{"key": "L1-1", "to": ["mari@example.com"]}]}"#
        #expect(try serve.call("POST", "/v1/batches", token: token, body: batch).status == 201)
        let id = try #require((try serve.call("GET", "/v1/messages?key=L1-1", token: token).json?["summary"] as? [String: Any])?["id"] as? Int)

        let cases: [(path: String, size: Int, says: String)] = [
            ("/v1/messages/\(id)/retry", 5_000, "the request body is over 4096 bytes (a retry's body holds only expiresAt or noExpiry; no setting changes this limit)"),
            ("/v1/batches", 9_000, "the request body is over 8192 bytes ([http] max-body-bytes)"),
            ("/v1/attachments", 9_000, "the request body is over 8192 bytes ([http] max-body-bytes)"),
            ("/status/login", 5_000, "the request body is over 4096 bytes (the login form holds only a token)"),
            ("/u/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 2_000,
             "the request body is over 1024 bytes (a one-click unsubscribe form holds only List-Unsubscribe=One-Click)"),
        ]
        for (path, size, says) in cases {
            let reply = try serve.call("POST", path, token: token, body: String(repeating: " ", count: size))
            #expect(reply.status == 413, "\(path): \(reply.status) \(reply.body)")
            #expect(reply.error?["code"] as? String == "tooLarge" && reply.error?["message"] as? String == says, "\(path): \(reply.body)")
        }
        // Nothing refused for its size was written: the message is as it was, the batch alone.
        #expect((try serve.call("GET", "/v1/messages/\(id)", token: token).json?["summary"] as? [String: Any])?["state"] as? String == "queued")
        #expect((try serve.outbox.run(["list", "--json", "--db", serve.database]).json() as? [Any])?.count == 1)
    }

    /// With the default `[http] max-body-bytes` (64 MiB) an upload is held to the size of one
    /// message (25 MiB), and the 413 says so.
    @Test func anAttachmentOverTheMessageSizeNamesThatLimit() throws {
        let serve = try APIServe(maxBodyBytes: 67_108_864)
        defer { serve.stop() }
        let token = try serve.token("erp")
        let reply = try serve.call("POST", "/v1/attachments", token: token, bytes: [UInt8](repeating: 0x25, count: 25 * 1024 * 1024 + 1))
        #expect(reply.status == 413, "\(reply.status) \(reply.body)")
        #expect(reply.error?["message"] as? String == "the request body is over 26214400 bytes (the size limit of one message, which the attachment belongs to)",
                "\(reply.body)")
    }
}
