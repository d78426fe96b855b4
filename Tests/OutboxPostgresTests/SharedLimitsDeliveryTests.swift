import Foundation
import OutboxCore
import OutboxDaemon
import OutboxPostgres
import OutboxStore
import OutboxTestSupport
import Testing

/// Three delivery engines — three nodes — sending one outbox's messages to one real SMTP
/// server, each counting its connection cap and rate limit in the PostgreSQL ledger
/// (``PostgresSendLimits``) through its own connection pool. The queue itself is an SQLite
/// file the three share on this host; the PostgreSQL queue is the serve nodes' part.
@Suite(.serialized) struct SharedLimitsDeliveryTests {
    @Test(.timeLimit(.minutes(10))) func threeEnginesNeverOpenAThirdConnectionUnderACapOfTwo() async throws {
        let nodes = try await Nodes(count: 3), server = try TestSMTPServer(["--stall-in-data", "0.05"])
        let outbox = try SharedOutbox()
        defer { nodes.close(); server.stop(); outbox.remove() }
        try outbox.profile("erp", port: server.port) { $0.maxConnections = 2 }
        try outbox.enqueue(36, owner: "erp")
        let sent = try await onThreads(3) { node in
            var configuration = SharedOutbox.configuration
            configuration.workers = 3
            return DeliveryEngine(store: try outbox.open(), configuration: configuration, limits: nodes.ledgers[node]).drain().sent
        }
        #expect(sent.reduce(0, +) == 36)
        #expect(sent.filter { $0 > 0 }.count >= 2, "the nodes shared the work: \(sent)")
        let events = try server.events()
        #expect(events.filter { $0.event == "message" }.count == 36)
        #expect(Self.mostOpenAtOnce(events) == 2, "two connections at once across three nodes, never a third")
    }

    @Test(.timeLimit(.minutes(10))) func threeEnginesSpreadAPerMinuteLimitBetweenThem() async throws {
        let nodes = try await Nodes(count: 3), server = try TestSMTPServer()
        let outbox = try SharedOutbox()
        defer { nodes.close(); server.stop(); outbox.remove() }
        try outbox.profile("erp", port: server.port) { $0.perMinute = 60 }  // one send a second, whichever node sends
        try outbox.enqueue(8, owner: "erp")
        let engines = try (0..<3).map { node in
            try DeliveryEngine(store: outbox.open(), configuration: SharedOutbox.configuration, limits: nodes.ledgers[node])
        }
        for engine in engines { try engine.start() }
        let deadline = Date().addingTimeInterval(60)
        while try server.messages().count < 8, Date() < deadline { try await Task.sleep(for: .milliseconds(200)) }
        _ = try await onThreads(3) { node in engines[node].stop().sent }
        let times = try server.messages().compactMap(\.at).sorted()
        #expect(times.count == 8)
        // Eight sends one second apart take seven seconds at least (a little jitter on arrival).
        #expect(times.last! - times.first! >= 6.8, "8 messages in \(times.last! - times.first!) s")
        #expect(zip(times.dropFirst(), times).allSatisfy { $0 - $1 > 0.5 }, "no two sends together: \(times)")
    }

    /// The most connections the server had open at once, from its connect/disconnect log.
    static func mostOpenAtOnce(_ events: [ServerEvent]) -> Int {
        var open = 0, most = 0
        for event in events {
            if event.event == "connect" { open += 1 } else if event.event == "disconnect" { open -= 1 }
            most = max(most, open)
        }
        return most
    }
}

/// An SQLite outbox in a temporary directory that several engines open at once.
final class SharedOutbox: Sendable {
    let directory = NSTemporaryDirectory() + "outbox-shared-" + UUID().uuidString
    var path: String { directory + "/outbox.db" }

    init() throws { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }

    func open() throws -> OutboxDatabase { try OutboxDatabase(path: path) }
    func remove() { try? FileManager.default.removeItem(atPath: directory) }

    /// A clear-text profile for the test server on loopback `port`, changed by `change`.
    func profile(_ owner: String, port: Int, _ change: (inout ProfileFields) -> Void) throws {
        var fields = ProfileFields()
        fields.mode = .smtp
        fields.host = "127.0.0.1"
        fields.port = port
        fields.tls = TLSMode.none
        fields.fromAddress = "\(owner)@example.com"
        change(&fields)
        try open().saveProfile(owner: owner, fields: fields, secretCredential: nil, clear: [], now: OutboxDatabase.milliseconds(Date()))
    }

    func enqueue(_ count: Int, owner: String) throws {
        let drafts = try (0..<count).map { index in
            BatchEntry(MessageDraft(key: "\(owner)-\(index)", owner: owner, subject: "Invoice \(index)", textBody: "Tere! Arve on lisatud.",
                                    recipients: [Recipient(kind: .to, mailbox: try Mailbox(address: "rcpt\(index)@example.net"))]),
                       location: "message \(index + 1)")
        }
        _ = try open().enqueue(batchKey: nil, source: "test", now: OutboxDatabase.milliseconds(Date()), attachments: AttachmentPolicy(roots: [], baseDirectory: directory),
                               messages: drafts)
    }

    /// Short times for tests; one message per claim, so every worker of every node has some.
    static var configuration: DeliveryConfiguration {
        var configuration = DeliveryConfiguration()
        configuration.workers = 2
        configuration.batchSize = 1
        configuration.connectTimeout = .seconds(5)
        configuration.replyTimeout = .seconds(10)
        configuration.totalTimeout = .seconds(20)
        configuration.idleRecheck = .milliseconds(300)
        configuration.messageIDDomain = "outbox.test"
        return configuration
    }
}
