import Foundation
import OutboxTestSupport
import OutboxCore
import OutboxTransport
import Testing

/// The `http` sender mode against the loopback HTTP mail service.
@Suite(.timeLimit(.minutes(10)))
struct HTTPMailSenderTests {
    /// A message with CRLF line endings and UTF-8 (Estonian) text.
    private let message = Array("From: Arve <arved@example.com>\r\nTo: klient@example.org\r\nSubject: =?UTF-8?Q?T=C3=B5endid?=\r\n\r\nTere, Õie! Arve nr 42 on lisatud.\r\n".utf8)

    private func envelope() throws -> HTTPMailEnvelope {
        HTTPMailEnvelope(
            from: try Mailbox(address: "arved@example.com", displayName: "Arve"), to: [try Mailbox(address: "klient@example.org")],
            cc: [try Mailbox(address: "raamatupidamine@example.org")], bcc: [try Mailbox(address: "arhiiv@example.com")],
            replyTo: [try Mailbox(address: "mari@example.com")], subject: "Tõendid")
    }

    private func posts(_ server: LoopbackServer) throws -> [[String: Any]] { try server.events("post") }

    private func body(_ post: [String: Any]) -> [UInt8] {
        Array(Data(base64Encoded: post["body"] as? String ?? "") ?? Data())
    }

    @Test func rawMIMEIsPostedByteForByteWithABearerToken() throws {
        try LoopbackServer.with("http_mail_server.py", ["--bearer", "api-key-3f9a", "--statuses", "202"]) { server in
            let endpoint = HTTPMailEndpoint(url: server.url + "/v1/send", format: .rawMIME, auth: .bearer("api-key-3f9a"))
            let result = HTTPMailSender.send(message, envelope: try envelope(), to: endpoint)
            #expect(result.httpStatus == 202)
            guard case .sent(let reply) = result.outcome else { Issue.record("expected sent, got \(result.outcome)"); return }
            #expect(reply.code == 250 && reply.text.hasPrefix("HTTP 202"))
            #expect(result.report.recipients.map(\.address) == ["klient@example.org", "raamatupidamine@example.org", "arhiiv@example.com"])
            #expect(result.report.recipients.allSatisfy { $0.accepted })
            let post = try #require(try posts(server).first)
            #expect(post["path"] as? String == "/v1/send")
            #expect(post["content_type"] as? String == "message/rfc822" && post["auth"] as? String == "ok")
            #expect(body(post) == message)
            #expect(post["envelope_from"] as? String == "arved@example.com")
            #expect(post["envelope_to"] as? String == "klient@example.org, raamatupidamine@example.org, arhiiv@example.com")
            #expect(!"\(result) \(endpoint)".contains("api-key-3f9a"))
        }
    }

    @Test func theJSONShapeCarriesTheEnvelopeAndTheMessageInBase64WithBasicAuth() throws {
        try LoopbackServer.with("http_mail_server.py", ["--basic", "outbox:pa ss:wörd", "--statuses", "200"]) { server in
            let endpoint = HTTPMailEndpoint(url: server.url, format: .json, auth: .basic(user: "outbox", password: "pa ss:wörd"))
            let result = HTTPMailSender.send(message, envelope: try envelope(), to: endpoint)
            guard case .sent = result.outcome else { Issue.record("expected sent, got \(result.outcome)"); return }
            let post = try #require(try posts(server).first)
            #expect(post["content_type"] as? String == "application/json" && post["auth"] as? String == "ok")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(body(post))) as? [String: Any])
            #expect(Set(json.keys) == ["from", "to", "cc", "bcc", "replyTo", "subject", "mime"])
            #expect(json["from"] as? String == "arved@example.com")
            #expect(json["to"] as? [String] == ["klient@example.org"] && json["cc"] as? [String] == ["raamatupidamine@example.org"])
            #expect(json["bcc"] as? [String] == ["arhiiv@example.com"] && json["replyTo"] as? [String] == ["mari@example.com"])
            #expect(json["subject"] as? String == "Tõendid")
            #expect(Data(base64Encoded: json["mime"] as? String ?? "").map(Array.init) == message)
            #expect(!"\(result) \(endpoint)".contains("pa ss:wörd"))
        }
    }

    @Test func aRefusedTokenIsAProfileProblem() throws {
        try LoopbackServer.with("http_mail_server.py", ["--bearer", "right-token"]) { server in
            let result = HTTPMailSender.send(message, envelope: try envelope(), to: HTTPMailEndpoint(url: server.url, auth: .bearer("wrong-token-77")))
            #expect(result.httpStatus == 401)
            guard case .profileProblem(.authenticationRejected, let reply?) = result.outcome else {
                Issue.record("expected a profile problem, got \(result.outcome)")
                return
            }
            #expect(reply.text.hasPrefix("HTTP 401"))
            #expect(try posts(server).first?["auth"] as? String == "wrong")
            #expect(!String(reflecting: result).contains("wrong-token-77"))
        }
    }

    @Test func statusesAreClassified() throws {
        try LoopbackServer.with("http_mail_server.py", ["--statuses", "503,429,408,400,422,500", "--retry-after", "7"]) { server in
            let endpoint = HTTPMailEndpoint(url: server.url)
            var outcomes: [DeliveryOutcome] = []
            var retryAfter: [Duration?] = []
            for _ in 0..<6 {
                let result = HTTPMailSender.send(message, envelope: try envelope(), to: endpoint)
                outcomes.append(result.outcome)
                retryAfter.append(result.retryAfter)
            }
            let kinds = outcomes.map { outcome -> String in
                switch outcome {
                case .sent: "sent"
                case .deferred(let category, _): "deferred:\(category.rawValue)"
                case .failed: "failed"
                case .profileProblem(let problem, _): "profile:\(problem.rawValue)"
                case .unknown: "unknown"
                }
            }
            #expect(kinds == ["deferred:temporary-reply", "deferred:temporary-reply", "deferred:temporary-reply", "failed", "failed",
                              "deferred:temporary-reply"])
            #expect(retryAfter[0] == .seconds(7) && retryAfter[1] == .seconds(7) && retryAfter[3] == nil)
            #expect(outcomes[3].reply?.text.hasPrefix("HTTP 400") == true)
        }
    }

    @Test func noAnswerInTimeOrNoServerDefers() throws {
        try LoopbackServer.with("http_mail_server.py", ["--delay", "3"]) { server in
            let endpoint = HTTPMailEndpoint(url: server.url, totalTimeout: .seconds(1))
            let started = ContinuousClock.now
            let result = HTTPMailSender.send(message, envelope: try envelope(), to: endpoint)
            #expect(result.outcome == .deferred(.timeout, nil) && result.httpStatus == nil)
            #expect(ContinuousClock.now - started < .seconds(3))
        }
        let refused = HTTPMailSender.send(message, envelope: try envelope(), to: HTTPMailEndpoint(url: "http://127.0.0.1:9/send"))
        #expect(refused.outcome == .deferred(.connectionRefused, nil))
    }

    @Test func unusableEndpointsAreProfileProblemsAndSendNothing() throws {
        for endpoint in [HTTPMailEndpoint(url: "http://mail.example.com/send"), HTTPMailEndpoint(url: "ftp://127.0.0.1/"),
                         HTTPMailEndpoint(url: "http://127.0.0.1:9/", auth: .bearer("abc\r\nX-Injected: 1"))] {
            let result = HTTPMailSender.send(message, envelope: try envelope(), to: endpoint)
            #expect(result.outcome == .profileProblem(.configuration, nil), "\(endpoint)")
            #expect(!String(reflecting: result).contains("X-Injected"))
        }
    }
}
