import Foundation
import OutboxTestSupport
import Testing

/// `POST /v1/messages/{id}/retry` of a message that expired: `outbox serve` relays to
/// aiosmtpd answering every MAIL with 451, so the message is deferred until its
/// `expiresAt` and fails as expired; the API is driven by Python's http.client.
@Suite(.timeLimit(.minutes(10))) struct APIRetryTests {
    @Test func anExpiredMessageIsRetriedOnlyWithALaterExpiryOrNone() throws {
        try withTestSMTPServer(["--mail-reply", "451 4.3.0 Busy"]) { server in
            let serve = try APIEventsTests.serving(through: server)
            defer { serve.stop() }
            let token = try serve.token("erp")
            // Far enough ahead for the request to arrive in time on a loaded machine.
            let expiresAt = ISO8601DateFormatter().string(from: Date().addingTimeInterval(10))
            let batch = #"{"key": "R1", "owner": "billing", "subject": "Arve", "text": "Tere", "messages": [{"key": "R1-1", "to": ["mari@example.com"], "expiresAt": "\#(expiresAt)"}]}"#
            let posted = try serve.call("POST", "/v1/batches", token: token, body: batch)
            #expect(posted.status == 201, "\(posted.body)")
            #expect(try eventually(within: 60) { try Self.summary(serve, token)?["state"] as? String == "failed" },
                    "\(serve.log.suffix(2000))")

            let refused = try serve.call("POST", "/v1/messages/1/retry", token: token)
            #expect(refused.status == 409)
            #expect(refused.error?["code"] as? String == "expired")
            #expect((refused.error?["message"] as? String)?.contains("past its expiresAt") == true, "\(refused.body)")

            let past = try serve.call("POST", "/v1/messages/1/retry", token: token, body: #"{"expiresAt": "2020-01-01T00:00:00Z"}"#)
            #expect(past.status == 400 && past.error?["field"] as? String == "expiresAt", "\(past.body)")
            let unknown = try serve.call("POST", "/v1/messages/1/retry", token: token, body: #"{"expires": "2030-01-01T00:00:00Z"}"#)
            #expect(unknown.status == 400 && unknown.error?["field"] as? String == "expires", "\(unknown.body)")
            let wrongType = try serve.call("POST", "/v1/messages/1/retry", token: token, body: #"{"noExpiry": "yes"}"#)
            #expect(wrongType.status == 400 && wrongType.error?["field"] as? String == "noExpiry", "\(wrongType.body)")
            let notJSON = try serve.call("POST", "/v1/messages/1/retry", token: token, body: "expiresAt=tomorrow")
            #expect(notJSON.status == 400)
            #expect(try Self.summary(serve, token)?["state"] as? String == "failed", "refusals change nothing")

            let retried = try serve.call("POST", "/v1/messages/1/retry", token: token, body: #"{"noExpiry": true}"#)
            #expect(retried.status == 200 && retried.json?["changed"] as? Int == 1, "\(retried.body)")
            let summary = try #require(try Self.summary(serve, token))
            #expect(summary["expiresAt"] == nil || summary["expiresAt"] is NSNull, "\(summary)")
            #expect(try eventually(within: 30) {
                let events = try serve.call("GET", "/v1/messages/1", token: token).json?["events"] as? [[String: Any]] ?? []
                return events.last { $0["kind"] as? String == "deferred" }.map { _ in
                    events.lastIndex { $0["kind"] as? String == "deferred" }! > events.lastIndex { $0["kind"] as? String == "retried" }!
                } ?? false
            }, "the retried message is tried again (and deferred by the busy server), not expired")
        }
    }

    static func summary(_ serve: APIServe, _ token: String) throws -> [String: Any]? {
        try serve.call("GET", "/v1/messages/1", token: token).json?["summary"] as? [String: Any]
    }
}
