import Foundation
import OutboxCore
import Testing
@testable import OutboxStore

/// Keys are checked against the database's key index, not a set in memory: repeated keys
/// are still skipped (earlier batch) or refused with both places (same batch).
@Suite struct EnqueueKeyCheckTests {
    @Test func locationsComeBackAsAppended() {
        let given = ["a.jsonl line 1", "a.jsonl line 10", "a.jsonl line 2", "b.csv row 3", "", "a.jsonl", "a.jsonl line 1000000", "ä line 9"]
        var locations = MessageLocations()
        for location in given { locations.append(location) }
        #expect(locations.count == given.count)
        #expect((0..<given.count).map { locations[$0] } == given)
        #expect(locations[given.count] == nil && locations[-1] == nil)
    }

    @Test func aKeyRepeatedInTheBatchNamesItsFirstPlaceAcrossSkippedDuplicates() throws {
        let outbox = try TemporaryOutbox()
        defer { outbox.cleanUp() }
        _ = try outbox.database.enqueue(batchKey: nil, source: nil, now: 1, baseDirectory: nil) { writer in
            try writer.add(draft("a@example.com", key: "old"), location: "first.jsonl line 1")
        }
        #expect {
            try outbox.database.enqueue(batchKey: nil, source: nil, now: 2, baseDirectory: nil) { writer in
                try writer.add(draft("b@example.com", key: "new-1"), location: "second.jsonl line 1")
                try writer.add(draft("c@example.com", key: "old"), location: "second.jsonl line 2")
                try writer.add(draft("d@example.com", key: "new-2"), location: "second.jsonl line 3")
                try writer.add(draft("e@example.com", key: "new-2"), location: "second.jsonl line 4")
            }
        } throws: { error in
            let intake = error as? IntakeError
            return intake?.code == .duplicateKey && intake?.location == "second.jsonl line 4"
                && "\(error)".contains("key 'new-2' is used twice in this batch (first at second.jsonl line 3)")
        }
        #expect(try outbox.count("SELECT COUNT(*) FROM message") == 1)
        #expect(try outbox.database.status().totals == ["queued": 1])
    }

    @Test func aSkippedDuplicateDoesNotLoseAContentALaterMessageUses() throws {
        let outbox = try TemporaryOutbox()
        defer { outbox.cleanUp() }
        let first = Array(String(repeating: "versioon 1\n", count: 100).utf8)
        let second = Array(String(repeating: "versioon 2\n", count: 100).utf8)
        func terms(_ bytes: [UInt8]) -> AttachmentSource { AttachmentSource(content: .inline(bytes), filename: "terms.txt", contentType: nil) }
        _ = try outbox.database.enqueue(batchKey: nil, source: nil, now: 1, baseDirectory: nil) { writer in
            try writer.add(draft("a@example.com", key: "k1", attachments: [terms(first)]), location: "line 1")
        }
        // k1 again (skipped) carries the new content first; k2 refers to it after.
        let result = try outbox.database.enqueue(batchKey: nil, source: nil, now: 2, baseDirectory: nil) { writer in
            try writer.add(draft("a@example.com", key: "k1", attachments: [terms(second)]), location: "line 1")
            try writer.add(draft("b@example.com", key: "k2", attachments: [terms(second)]), location: "line 2")
        }
        #expect(result.enqueued == 1 && result.duplicates == 1)
        let claimed = try outbox.database.claim(leaseOwner: "t", limit: 10, now: 10, dueBy: 10, leaseUntil: 1000)
        #expect(claimed.first { $0.recipients.first?.mailbox.address == "b@example.com" }?.attachments.map(\.data) == [second])
        #expect(claimed.first { $0.recipients.first?.mailbox.address == "a@example.com" }?.attachments.map(\.data) == [first])
    }
}
