import Foundation
import OutboxCore
import OutboxDaemon
import OutboxStore

/// A real temporary outbox for service tests: a database in a directory of its own, with
/// helpers to set profiles and enqueue one-recipient messages through the store's API.
final class ServiceOutbox: @unchecked Sendable {
    let directory: TemporaryDirectory
    let path: String
    let database: OutboxDatabase

    init() throws {
        directory = try TemporaryDirectory()
        path = directory.path + "/outbox.db"
        database = try OutboxDatabase(path: path)
    }

    /// Saves `owner`'s profile: SMTP to 127.0.0.1:`port` in clear text, or another `mode`.
    func setProfile(_ owner: String, mode: SenderMode = .smtp, port: Int? = nil) throws {
        var fields = ProfileFields()
        fields.mode = mode
        if let port {
            fields.host = "127.0.0.1"
            fields.port = port
            fields.tls = TLSMode.none
        }
        fields.fromAddress = "\(owner)@firma.example"
        try database.saveProfile(owner: owner, fields: fields, secretCredential: nil, clear: [], now: OutboxDatabase.milliseconds(Date()))
    }

    /// Enqueues one message per address in one batch for `owner`.
    func enqueue(owner: String, to addresses: [String]) throws {
        _ = try database.enqueue(batchKey: nil, source: "test", now: OutboxDatabase.milliseconds(Date()), baseDirectory: nil) { writer in
            for (index, address) in addresses.enumerated() {
                let draft = MessageDraft(key: "\(owner)-\(UUID().uuidString)", owner: owner, subject: "Arve \(index)", textBody: "Tere!",
                                         recipients: [Recipient(kind: .to, mailbox: try Mailbox(address: address))])
                try writer.add(draft, location: "message \(index)")
            }
        }
    }

    /// Message totals by state, read through a connection of its own (works after the service closed its database).
    func totals() throws -> [String: Int] { try OutboxDatabase(path: path).status().totals }

    /// Waits up to `seconds` until `condition` holds.
    static func wait(_ seconds: Double, until condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(50_000)
        }
        return try condition()
    }

    /// Delivery settings for tests: short times, no jitter.
    static func delivery(workers: Int = 2) -> DeliveryConfiguration {
        var configuration = DeliveryConfiguration()
        configuration.workers = workers
        configuration.retry = RetryPolicy(firstDelay: .seconds(60), maxDelay: .seconds(60), jitter: 0, giveUpAfter: .seconds(3600))
        configuration.connectTimeout = .seconds(5)
        configuration.replyTimeout = .seconds(15)
        configuration.totalTimeout = .seconds(20)
        configuration.idleRecheck = .milliseconds(300)
        configuration.messageIDDomain = "outbox.test"
        return configuration
    }
}
