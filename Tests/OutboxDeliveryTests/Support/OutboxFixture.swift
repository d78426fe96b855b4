import Foundation
import GRDB
import OutboxCore
import OutboxDaemon
import OutboxStore

/// A real temporary outbox database plus a plain SQL connection to arrange and inspect it.
final class OutboxFixture: @unchecked Sendable {
    let directory: String
    let path: String
    let outbox: OutboxDatabase
    let sql: DatabaseQueue

    init() throws {
        directory = NSTemporaryDirectory() + "outbox-dlv-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = directory + "/outbox.db"
        outbox = try OutboxDatabase(path: path)
        var sqlConfiguration = Configuration()
        sqlConfiguration.busyMode = .timeout(10)  // the engine may be writing at the same time
        sql = try DatabaseQueue(path: path, configuration: sqlConfiguration)
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: directory) }

    /// Inserts or replaces an owner's profile row; bumps `updated_at`.
    func setProfile(_ owner: String, mode: String = "smtp", port: Int? = nil, username: String? = nil, password: String? = nil,
                    url: String? = nil, perMinute: Int? = nil, maxConnections: Int? = nil, from: String? = nil) throws {
        try sql.write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO profile (owner, mode, host, port, tls, username, secret, from_address, from_name, url, per_minute,
                    max_connections, updated_at)
                VALUES (?, ?, '127.0.0.1', ?, 'none', ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [owner, mode, port, username, password, from ?? "\(owner)@example.com", "Owner \(owner)", url, perMinute,
                                 maxConnections, OutboxDatabase.milliseconds(Date()) + Int64.random(in: 1...1000)])
        }
    }

    /// Enqueues `count` one-recipient messages of `owner` in one batch; returns their keys.
    @discardableResult
    func enqueue(_ count: Int, owner: String, to: (Int) -> String = { "rcpt\($0)@example.net" }, subject: String = "Invoice",
                 bodyBytes: Int = 200) throws -> [String] {
        let body = String(repeating: "Tere! Arve on lisatud. ", count: max(1, bodyBytes / 23))
        var keys: [String] = []
        _ = try outbox.enqueue(batchKey: nil, source: "test", now: OutboxDatabase.milliseconds(Date()), baseDirectory: nil) { writer in
            for index in 0..<count {
                let key = "\(owner)-\(UUID().uuidString)"
                keys.append(key)
                let draft = MessageDraft(
                    key: key, owner: owner, subject: "\(subject) \(index)", textBody: body,
                    recipients: [Recipient(kind: .to, mailbox: try Mailbox(address: to(index)))])
                try writer.add(draft, location: "message \(index)")
            }
        }
        return keys
    }

    func count(_ query: String, _ arguments: StatementArguments = []) throws -> Int {
        try sql.read { db in try Int.fetchOne(db, sql: query, arguments: arguments) ?? 0 }
    }

    func states() throws -> [String: Int] {
        try sql.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM message GROUP BY state")
                .map { ($0["state"] as String, $0["n"] as Int) })
        }
    }

    /// The system relay layer for a clear-text test relay on loopback `port`.
    static func systemRelay(port: Int) -> ProfileFields {
        var relay = ProfileFields()
        relay.host = "127.0.0.1"
        relay.port = port
        relay.tls = TLSMode.none
        return relay
    }

    /// An engine configuration for tests: short times, no jitter.
    static func configuration(workers: Int = 2) -> DeliveryConfiguration {
        var configuration = DeliveryConfiguration()
        configuration.workers = workers
        configuration.retry = RetryPolicy(firstDelay: .milliseconds(200), maxDelay: .seconds(1), jitter: 0, giveUpAfter: .seconds(60))
        configuration.holdDuration = .seconds(60)
        configuration.connectTimeout = .seconds(5)
        configuration.replyTimeout = .seconds(10)
        configuration.totalTimeout = .seconds(20)
        configuration.idleRecheck = .milliseconds(500)
        configuration.messageIDDomain = "outbox.test"
        return configuration
    }
}

/// Polls `condition` every 50 ms until it holds or `seconds` pass; returns whether it held.
func eventually(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(50_000)
    }
    return try condition()
}

/// Polls `condition` every 50 ms, sleeping the task in between, until it holds or `seconds` pass; returns whether it held.
func eventually(_ seconds: Double, _ condition: () throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1_000))
    while ContinuousClock.now < deadline {
        if try condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return try condition()
}
