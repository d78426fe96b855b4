import Foundation
import OutboxTestSupport
import OutboxCore
import OutboxDaemon
import OutboxStore
import Testing

/// The `http` sender mode through the delivery engine: the service receives each message
/// (raw MIME, bearer token), with the archive copy as an envelope-only recipient, and a
/// 503 defers while a 401 holds the profile.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct HTTPModeDeliveryTests {
    private func outbox() throws -> (OutboxDatabase, String) {
        let directory = NSTemporaryDirectory() + "outbox-http-mode-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return (try OutboxDatabase(path: directory + "/outbox.db"), directory)
    }

    private func profile(_ database: OutboxDatabase, url: String, token: String) throws {
        var fields = ProfileFields()
        fields.mode = .http
        fields.url = url
        fields.secret = token
        fields.fromAddress = "arved@firma.ee"
        fields.fromName = "Firma OÜ"
        fields.archiveBcc = "arhiiv@firma.ee"
        try database.saveProfile(owner: "firma", fields: fields, secretCredential: nil, clear: [], now: OutboxDatabase.milliseconds(Date()))
    }

    private func enqueue(_ database: OutboxDatabase, count: Int) throws {
        _ = try database.enqueue(batchKey: nil, source: "test", now: OutboxDatabase.milliseconds(Date()), baseDirectory: nil) { writer in
            for index in 0..<count {
                try writer.add(MessageDraft(owner: "firma", subject: "Arve \(index)", textBody: "Tere!",
                                            recipients: [Recipient(kind: .to, mailbox: try Mailbox(address: "klient\(index)@example.org"))]),
                               location: "\(index)")
            }
        }
    }

    private func configuration() -> DeliveryConfiguration {
        var configuration = DeliveryConfiguration()
        configuration.workers = 1
        configuration.retry = RetryPolicy(firstDelay: .seconds(60), maxDelay: .seconds(60), jitter: 0, giveUpAfter: .seconds(600))
        configuration.connectTimeout = .seconds(5)
        configuration.totalTimeout = .seconds(10)
        return configuration
    }

    @Test func messagesArePostedWithTheTokenAndTheArchiveCopy() throws {
        let (database, directory) = try outbox()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try LoopbackServer.with("http_mail_server.py", ["--bearer", "api-key-7", "--statuses", "202"]) { server in
            try profile(database, url: server.url + "/v1/send", token: "api-key-7")
            try enqueue(database, count: 3)
            let summary = DeliveryEngine(database: database, configuration: configuration()).drain()
            #expect(summary.sent == 3)
            let posts = try server.events("post")
            #expect(posts.count == 3)
            for post in posts {
                #expect(post["auth"] as? String == "ok" && post["content_type"] as? String == "message/rfc822")
                let to = post["envelope_to"] as? String ?? ""
                #expect(to.hasPrefix("klient") && to.hasSuffix(", arhiiv@firma.ee"), "\(to)")
                let body = String(decoding: Data(base64Encoded: post["body"] as? String ?? "") ?? Data(), as: UTF8.self)
                #expect(body.contains("From: =?utf-8?") && body.contains("<arved@firma.ee>") && !body.contains("arhiiv@firma.ee"))
            }
            #expect(try database.status().totals == ["sent": 3])
        }
    }

    @Test func a503DefersAndA401HoldsTheProfile() throws {
        let (database, directory) = try outbox()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try LoopbackServer.with("http_mail_server.py", ["--bearer", "api-key-7", "--statuses", "503"]) { server in
            try profile(database, url: server.url, token: "api-key-7")
            try enqueue(database, count: 1)
            _ = DeliveryEngine(database: database, configuration: configuration()).drain()
            #expect(try database.status().totals == ["deferred": 1])
        }
        try LoopbackServer.with("http_mail_server.py", ["--bearer", "api-key-7", "--statuses", "202"]) { server in
            try profile(database, url: server.url, token: "wrong-key")
            try enqueue(database, count: 1)
            _ = DeliveryEngine(database: database, configuration: configuration()).drain()
            #expect(try database.events(EventFilter(kind: "profile-held")).count == 1)
            #expect(try database.events(EventFilter()).allSatisfy { !($0.detail ?? "").contains("wrong-key") })
        }
    }
}
