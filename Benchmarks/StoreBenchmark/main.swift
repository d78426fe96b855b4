// Store benchmark: enqueues one batch of N messages (one recipient, a short text body, no
// attachment) through the QueueStore seam into a fresh SQLite outbox and into a fresh
// database of a private PostgreSQL cluster on loopback (fsync off, as the tests run it),
// and prints the time and rate of each. One run each; the machine's other load shows.
//
// Usage: StoreBenchmark [--messages N]
import Dispatch
import Foundation
import OutboxCore
import OutboxPostgres
import OutboxStore
import OutboxTestSupport

var count = 10_000
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let name = arguments.next() {
    guard name == "--messages", let value = arguments.next().flatMap(Int.init), value > 0 else {
        FileHandle.standardError.write(Data("usage: StoreBenchmark [--messages N]\n".utf8))
        exit(2)
    }
    count = value
}

let drafts = try (0..<count).map { index in
    BatchEntry(MessageDraft(key: "bench-\(index)", owner: "owner-\(index % 10)", subject: "Invoice \(index)", textBody: "Dear customer, invoice \(index) is attached.",
                            recipients: [Recipient(kind: .to, mailbox: try Mailbox.parse("customer\(index)@example.com"))]),
               location: "message \(index + 1)")
}
let policy = AttachmentPolicy(roots: [], baseDirectory: nil)

func measure(_ name: String, _ store: any QueueStore) async throws {
    let start = DispatchTime.now().uptimeNanoseconds
    let result = try await store.enqueue(batchKey: "bench", source: nil, now: OutboxDatabase.milliseconds(Date()), attachments: policy, messages: drafts)
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    print("\(name): \(result.enqueued) messages in \(String(format: "%.2f", seconds)) s = \(Int(Double(result.enqueued) / seconds)) messages/s")
}

let directory = NSTemporaryDirectory() + "outbox-store-bench-" + UUID().uuidString
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: directory) }
try await measure("sqlite", try OutboxDatabase(path: directory + "/outbox.db"))

let cluster = try PostgresCluster()
defer { cluster.stop() }
try cluster.createDatabase("bench")
let postgres = try await PostgresStore.open(try PostgresLocation(cluster.url(database: "bench")), environment: [:])
defer { postgres.close() }
try await measure("postgres", postgres)
