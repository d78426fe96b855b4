import Foundation
import OutboxTestSupport
import Testing

/// Tokens over real HTTP: no token, a wrong one and a revoked one get the same 401; a token
/// limited to owners sees and submits only their mail.
@Suite(.timeLimit(.minutes(10))) struct APIAuthTests {
    @Test func missingWrongOrRevokedTokenGetsTheSame401() throws {
        let serve = try APIServe()
        defer { serve.stop() }
        let token = try serve.token("erp")
        #expect(try serve.call("GET", "/v1/events", token: token).status == 200)

        let missing = try serve.call("GET", "/v1/events", token: nil)
        let wrong = try serve.call("GET", "/v1/events", token: "obx_" + String(repeating: "0", count: 64))
        let malformed = try serve.call("GET", "/v1/messages/1", token: nil, headers: ["Authorization": "Basic ZXJwOmVycA=="])
        #expect(try serve.outbox.run(["api-token", "revoke", "erp", "--db", serve.database]).status == 0)
        let revoked = try serve.call("GET", "/v1/events", token: token)
        for reply in [missing, wrong, malformed, revoked] {
            #expect(reply.status == 401)
            #expect(reply.error?["code"] as? String == "unauthorized")
            #expect(reply.body == missing.body, "a refusal says nothing about why the token was refused")
            #expect(reply.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
        }
        // The OpenAPI document needs no token.
        #expect(try serve.call("GET", "/v1/openapi.json", token: nil).status == 200)
        // The token is kept only as its hash: the database file does not contain it.
        let file = try Data(contentsOf: URL(fileURLWithPath: serve.database))
        #expect(file.range(of: Data(token.utf8)) == nil)
        let listed = try serve.outbox.run(["api-token", "list", "--db", serve.database])
        #expect(listed.stdout.contains("erp") && listed.stdout.contains("revoked") && !listed.stdout.contains(token))
    }

    @Test func aTokenLimitedToOwnersSeesAndSubmitsOnlyTheirMail() throws {
        let serve = try APIServe()
        defer { serve.stop() }
        let all = try serve.token("operator")
        let billing = try serve.token("billing-app", owners: ["billing"])

        let sales = try serve.call("POST", "/v1/batches", token: all, body: #"{"owner": "sales", "subject": "Offer", "text": "Hi", "messages": [{"key": "S-1", "to": ["a@example.com"]}]}"#)
        #expect(sales.status == 201, "\(sales.body)")

        let refused = try serve.call("POST", "/v1/batches", token: billing, body: """
            {"subject": "Arve", "text": "Tere",
             "messages": [
               {"owner": "billing", "to": ["a@example.com"]},
               {"owner": "sales", "to": ["b@example.com"]}
             ]}
            """)
        #expect(refused.status == 403, "\(refused.body)")
        #expect(refused.error?["code"] as? String == "ownerNotAllowed")
        #expect(refused.error?["location"] as? String == "request messages[1] (line 4)")
        #expect(refused.error?["field"] as? String == "owner")

        let own = try serve.call("POST", "/v1/batches", token: billing, body: #"{"owner": "billing", "subject": "Arve", "text": "Tere", "messages": [{"key": "B-1", "to": ["a@example.com"]}]}"#)
        #expect(own.status == 201, "\(own.body)")
        #expect(try serve.call("GET", "/v1/messages?key=B-1", token: billing).status == 200)
        // Another owner's message is not found, exactly like one that does not exist.
        let hidden = try serve.call("GET", "/v1/messages?key=S-1", token: billing)
        let absent = try serve.call("GET", "/v1/messages/999", token: billing)
        #expect(hidden.status == 404 && absent.status == 404)
        #expect(try serve.call("POST", "/v1/messages/1/cancel", token: billing).status == 404)
        #expect(try serve.call("GET", "/v1/messages?key=S-1", token: all).status == 200)

        let events = try serve.call("GET", "/v1/events?limit=100", token: billing)
        let owners = Set(((events.json?["events"] as? [[String: Any]]) ?? []).compactMap { $0["owner"] as? String })
        #expect(!owners.contains("sales"))
        #expect(try serve.call("GET", "/metrics", token: billing).status == 403)
    }
}
