import Foundation
import OutboxCore
import OutboxStore
import Testing

/// The ``QueueStore`` contract: the same test bodies on SQLite and on a real PostgreSQL.
@Suite(.serialized) struct StoreContractTests {
    @Test(arguments: StoreKind.allCases)
    func enqueueIsAtomicAndIdempotent(_ kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        defer { fixture.close() }
        let store = fixture.store
        let pdf = try fixture.file("invoice.pdf", Array("%PDF-1.7 invoice".utf8))
        let attachment = AttachmentSource(content: .file(path: pdf), filename: "invoice.pdf", contentType: "application/pdf")
        let first = try await store.enqueue(batchKey: "b-1", source: "first.jsonl", now: 1_000, attachments: fixture.attachmentPolicy, messages: entries([
            try draft("a@example.com", key: "k-1", attachments: [attachment]), try draft("b@example.com", key: "k-2", attachments: [attachment]),
        ]))
        #expect(first.enqueued == 2 && first.duplicates == 0 && !first.duplicateBatch && first.newContents == 1)

        let again = try await store.enqueue(batchKey: "b-1", source: "first.jsonl", now: 2_000, attachments: fixture.attachmentPolicy,
                                            messages: entries([try draft("z@example.com", key: "k-9")]))
        #expect(again.duplicateBatch && again.batchID == first.batchID && again.enqueued == 2)

        let overlap = try await store.enqueue(batchKey: "b-2", source: nil, now: 3_000, attachments: fixture.attachmentPolicy,
                                              messages: entries([try draft("a@example.com", key: "k-1"), try draft("c@example.com", key: "k-3")]))
        #expect(overlap.enqueued == 1 && overlap.duplicates == 1 && !overlap.duplicateBatch)

        // The same key twice in one batch refuses the whole batch: nothing of it is written.
        await #expect(throws: IntakeError.self) {
            try await store.enqueue(batchKey: "b-3", source: "bad.jsonl", now: 4_000, attachments: fixture.attachmentPolicy, messages: entries([
                try draft("d@example.com", key: "k-4"), try draft("e@example.com", key: "k-4"),
            ]))
        }
        // An attachment outside the allowed roots refuses the batch too.
        await #expect(throws: IntakeError.self) {
            try await store.enqueue(batchKey: "b-4", source: nil, now: 4_000, attachments: fixture.attachmentPolicy, messages: entries([
                try draft("f@example.com", attachments: [AttachmentSource(content: .file(path: "/etc/hostname"), filename: "h", contentType: nil)]),
            ]))
        }
        let listed = try await store.messages(MessageFilter())
        #expect(listed.map(\.key) == ["k-1", "k-2", "k-3"])
        #expect(listed.map(\.firstRecipient) == ["a@example.com", "b@example.com", "c@example.com"])
        let status = try await store.status()
        #expect(status.totals == ["queued": 3])
        #expect(status.oldestQueuedAt == 1_000)
        let detail = try await store.message(id: listed[0].id)
        #expect(detail.attachments.map(\.filename) == ["invoice.pdf"] && detail.attachments[0].size == 16)
        #expect(detail.recipients.map(\.address) == ["a@example.com"] && detail.recipients[0].state == "pending")
        let enqueued = try await store.events(EventFilter(kind: "enqueued"))
        #expect(enqueued.map(\.detail) == ["2 message(s) enqueued from first.jsonl", "1 message(s) enqueued, 1 duplicate key(s) skipped"])
    }

    @Test(arguments: StoreKind.allCases)
    func largeBatchKeysAcrossChunks(_ kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        defer { fixture.close() }
        let store = fixture.store, policy = fixture.attachmentPolicy
        var drafts = try (0..<1_200).map { try draft("r\($0)@example.com", key: "big-\($0)") }
        drafts[1_100].key = "big-3"
        do {
            _ = try await store.enqueue(batchKey: "big", source: nil, now: 1_000, attachments: policy, messages: entries(drafts))
            Issue.record("a key used twice in one batch was accepted")
        } catch let error as IntakeError {
            #expect("\(error)".contains("key 'big-3' is used twice in this batch (first at message 4)"))
        }
        #expect(try await store.messages(MessageFilter()).isEmpty)
        drafts[1_100].key = "big-1100"
        let written = try await store.enqueue(batchKey: "big", source: nil, now: 1_000, attachments: policy, messages: entries(drafts))
        #expect(written.enqueued == 1_200)
        // A key an earlier batch wrote is skipped each time it comes again, even twice in one batch.
        let again = try await store.enqueue(batchKey: "again", source: nil, now: 2_000, attachments: policy, messages: entries([
            try draft("x@example.com", key: "big-7"), try draft("y@example.com", key: "new-1"), try draft("x@example.com", key: "big-7"),
        ]))
        #expect(again.enqueued == 1 && again.duplicates == 2)
        #expect(try await store.status().totals == ["queued": 1_201])
        // In enqueue order (on PostgreSQL the refused batch left a gap in the ids: sequences do not roll back).
        let keys = try await store.messages(MessageFilter(limit: 2_000)).map(\.key)
        #expect(keys == (0..<1_200).map { "big-\($0)" } + ["new-1"])
    }

    @Test(arguments: StoreKind.allCases)
    func scheduleAndExpiry(_ kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        defer { fixture.close() }
        let store = fixture.store
        var later = try draft("later@example.com", subject: "later"), stale = try draft("stale@example.com", subject: "stale")
        var soon = try draft("soon@example.com", subject: "soon")
        later.notBefore = 50_000
        stale.expiresAt = 4_000
        soon.expiresAt = 30_000
        _ = try await store.enqueue(batchKey: nil, source: nil, now: 1_000, attachments: fixture.attachmentPolicy, messages: entries([later, stale, soon]))
        let claimed = try await store.claimBatch(leaseOwner: "node", limit: 10, now: 5_000, dueBy: 5_000, leaseUntil: 65_000)
        #expect(claimed.messages.map(\.subject) == ["soon"])
        let expired = try await store.events(EventFilter(kind: "expired"))
        #expect(expired.count == 1 && expired[0].reason == "expired" && expired[0].detail?.hasPrefix("expired: not sent before its expiresAt") == true)
        // A deferral is never put after the message's expiresAt.
        let deferred = DeliveryRecord(verdict: .deferred(nextAttemptAt: 90_000), code: 451, text: "451 later")
        #expect(try await store.record([PendingRecord(deferred, messageID: claimed.messages[0].id)], leaseOwner: "node", now: 6_000) == [true])
        let listed = try await store.messages(MessageFilter())
        #expect(listed.map(\.state) == ["queued", "failed", "deferred"])
        #expect(listed.map(\.nextAttemptAt) == [50_000, 1_000, 30_000])
        #expect(listed[0].notBefore == 50_000 && listed[2].expiresAt == 30_000)
        #expect(try await store.claimBatch(leaseOwner: "node", limit: 10, now: 50_000, dueBy: 50_000, leaseUntil: 110_000).messages.map(\.subject) == ["later"])
    }

    @Test(arguments: StoreKind.allCases)
    func claimRecordAndLeases(_ kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        defer { fixture.close() }
        let store = fixture.store
        _ = try await store.enqueue(batchKey: nil, source: nil, now: 1_000, attachments: fixture.attachmentPolicy, messages: entries([
            try draft("low@example.com", subject: "low"), try draft("high@example.com", priority: 5, subject: "high"),
            try draft("late@example.com", subject: "late"),
        ]))
        let pdf = try fixture.file("a.txt", Array("attached".utf8))
        _ = try await store.enqueue(batchKey: nil, source: nil, now: 9_000, attachments: fixture.attachmentPolicy, messages: entries([
            try draft("future@example.com", subject: "future", attachments: [AttachmentSource(content: .file(path: pdf), filename: "a.txt", contentType: "text/plain")]),
        ]))

        // Due by 5 000: the three older ones, highest priority first; the future one waits.
        let claimed = try await store.claimBatch(leaseOwner: "node-a", limit: 10, now: 5_000, dueBy: 5_000, leaseUntil: 65_000)
        #expect(claimed.messages.map(\.subject) == ["high", "low", "late"])
        #expect(claimed.messages[0].recipients.map(\.mailbox.address) == ["high@example.com"])
        #expect(claimed.profiles.keys.sorted() == ["alice"])
        let other = try await store.claimBatch(leaseOwner: "node-b", limit: 10, now: 5_000, dueBy: 5_000, leaseUntil: 65_000)
        #expect(other.messages.isEmpty)
        let future = try await store.claimBatch(leaseOwner: "node-b", limit: 10, now: 9_000, dueBy: 9_000, leaseUntil: 69_000)
        #expect(future.messages.map(\.subject) == ["future"])
        #expect(future.messages[0].attachments.map { String(decoding: $0.data, as: UTF8.self) } == ["attached"])

        let (high, low, late) = (claimed.messages[0], claimed.messages[1], claimed.messages[2])
        let sent = DeliveryRecord(verdict: .sent, code: 250, enhancedCode: "2.0.0", text: "250 2.0.0 queued as X",
                                  recipients: [RecipientOutcome(address: "high@example.com", state: .sent, code: 250, reply: "250 ok")])
        let deferred = DeliveryRecord(verdict: .deferred(nextAttemptAt: 20_000), code: 451, text: "451 try later")
        // Only the lease's owner records.
        #expect(try await store.record([PendingRecord(sent, messageID: high.id)], leaseOwner: "node-b", now: 6_000) == [false])
        #expect(try await store.record([PendingRecord(sent, messageID: high.id), PendingRecord(deferred, messageID: low.id)],
                                       leaseOwner: "node-a", now: 6_000) == [true, true])
        #expect(try await store.record([PendingRecord(sent, messageID: high.id)], leaseOwner: "node-a", now: 6_500) == [false])

        let shown = try await store.message(id: high.id)
        #expect(shown.summary.state == "sent" && shown.summary.attempts == 1 && shown.summary.finishedAt == 6_000)
        #expect(shown.recipients[0].state == "sent" && shown.recipients[0].lastCode == 250)
        #expect(shown.events.map(\.kind) == ["attempt", "sent"])
        let lowShown = try await store.message(id: low.id)
        #expect(lowShown.summary.state == "deferred" && lowShown.summary.nextAttemptAt == 20_000 && lowShown.summary.lastCode == 451)

        // Release gives back without an attempt; renew keeps node-b's lease past 69 000.
        #expect(try await store.release(leaseOwner: "node-a", messageIDs: [late.id], now: 7_000) == 1)
        #expect(try await store.message(id: late.id).summary.state == "queued")
        try await store.renewLeases(leaseOwner: "node-b", until: 200_000)
        #expect(try await store.reclaimLeases(now: 100_000, isGone: { _ in false }).isEmpty)
        // A lease that expired comes back to the queue with a `retried` event.
        let reclaimed = try await store.reclaimLeases(now: 300_000, isGone: { _ in false })
        #expect(reclaimed == [future.messages[0].id])
        #expect(try await store.events(EventFilter(kind: "retried")).map(\.messageID) == [future.messages[0].id])
        // An owner known to be gone loses its leases at once.
        let retaken = try await store.claimBatch(leaseOwner: "dead-node", limit: 1, now: 300_000, dueBy: 300_000, leaseUntil: 900_000)
        #expect(retaken.messages.count == 1)
        #expect(try await store.reclaimLeases(now: 300_001, isGone: { $0 == "dead-node" }) == retaken.messages.map(\.id))

        let status = try await store.status()
        #expect(status.totals == ["sent": 1, "deferred": 1, "queued": 2])
        #expect(try await store.messages(MessageFilter(state: "queued")).count == 2)
        #expect(try await store.messages(MessageFilter(afterID: high.id, limit: 1)).map(\.id) == [high.id + 1])
        #expect(try await store.events(EventFilter(messageID: low.id)).map(\.kind) == ["attempt", "deferred"])
        await #expect(throws: StoreError.self) { try await store.message(id: 999_999) }
    }
}
