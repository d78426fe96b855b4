import Foundation
import OutboxCore
import OutboxPostgres
import OutboxStore
import OutboxTestSupport
import Testing

/// Recording a group of outcomes on PostgreSQL costs a constant number of statements, and
/// a group that mixes leased messages with ones another node took over records only the
/// leased ones.
@Suite(.serialized, .timeLimit(.minutes(10))) struct RecordBatchingTests {
    /// A node whose clock is off the database's records its retry and unknown-outcome due
    /// times on the database's clock, as it does `now` (else a node 60 s behind would look in
    /// the Sent folder at once, before the provider filed the copy).
    @Test func theEnginesTimesMoveOntoTheDatabaseClock() {
        var sent = DeliveryRecord(verdict: .sent, text: "ok")
        sent.sentHeader = nil
        #expect(sent.shifted(by: 250) == sent)
        #expect(DeliveryRecord(verdict: .deferred(nextAttemptAt: 1_000), text: "later").shifted(by: -250).verdict == .deferred(nextAttemptAt: 750))
        let plan = DeliveryRecord.UnknownPlan(action: .checkSent, dueAt: 61_000, headerMessageID: "<a@outbox.test>")
        let moved = DeliveryRecord(verdict: .unknown(plan), code: 250, text: "?").shifted(by: 60_000)
        #expect(moved.verdict == .unknown(DeliveryRecord.UnknownPlan(action: .checkSent, dueAt: 121_000, headerMessageID: "<a@outbox.test>")))
        #expect(moved.code == 250 && moved.text == "?")
        let parked = DeliveryRecord(verdict: .unknown(DeliveryRecord.UnknownPlan(action: .hold, dueAt: nil, headerMessageID: nil)), text: "?")
        #expect(parked.shifted(by: 60_000) == parked)
    }

    /// Statement-level triggers log every statement that writes a table the record path
    /// writes (they fire once per statement, even when it changes no row).
    private static let statementLog = """
        CREATE TABLE record_statement (tbl TEXT NOT NULL, op TEXT NOT NULL);
        CREATE FUNCTION log_record_statement() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN INSERT INTO record_statement VALUES (TG_TABLE_NAME, TG_OP); RETURN NULL; END $$;
        CREATE TRIGGER s AFTER INSERT OR UPDATE OR DELETE ON message FOR EACH STATEMENT EXECUTE FUNCTION log_record_statement();
        CREATE TRIGGER s AFTER INSERT OR UPDATE OR DELETE ON recipient FOR EACH STATEMENT EXECUTE FUNCTION log_record_statement();
        CREATE TRIGGER s AFTER INSERT OR UPDATE OR DELETE ON event FOR EACH STATEMENT EXECUTE FUNCTION log_record_statement();
        CREATE TRIGGER s AFTER INSERT OR UPDATE OR DELETE ON sent_header FOR EACH STATEMENT EXECUTE FUNCTION log_record_statement();
        CREATE TRIGGER s AFTER INSERT OR UPDATE OR DELETE ON unknown_outcome FOR EACH STATEMENT EXECUTE FUNCTION log_record_statement();
        """

    private func outcome(_ verdict: DeliveryRecord.Verdict, _ address: String, code: Int, text: String) -> DeliveryRecord {
        let state: RecipientState = switch verdict {
        case .sent: .sent
        case .deferred, .unknown: .deferred
        case .failed, .expired: .failed
        }
        var record = DeliveryRecord(verdict: verdict, code: code, enhancedCode: "\(code / 100).0.0", text: text,
                                    recipients: [RecipientOutcome(address: address, state: state, code: code, reply: text)])
        if verdict == .sent { record.sentHeader = SentHeader(header: Array("Subject: \(address)\r\n".utf8), sha256: "sha-\(address)") }
        return record
    }

    /// Statements the record path issued for one group of `size` sent messages.
    private func statements(forGroupOf size: Int, _ fixture: StoreFixture) async throws -> Int {
        let store = try #require(fixture.postgres), cluster = try #require(fixture.cluster)
        let drafts = try (0..<size).map { try draft("g\(size)-\($0)@example.com", key: "g\(size)-\($0)") }
        _ = try await store.enqueue(batchKey: "group-\(size)", source: nil, now: 1_000, attachments: fixture.attachmentPolicy, messages: entries(drafts))
        let claimed = try await store.claimBatch(leaseOwner: "node-a", limit: size, now: 2_000, dueBy: 2_000, leaseUntil: 60_000).messages
        try #require(claimed.count == size)
        _ = try cluster.sql("DELETE FROM record_statement", database: "outbox")
        let recorded = try await store.record(claimed.map {
            PendingRecord(outcome(.sent, $0.recipients[0].mailbox.address, code: 250, text: "250 ok"), messageID: $0.id)
        }, leaseOwner: "node-a", now: 3_000)
        #expect(recorded == Array(repeating: true, count: size))
        let count = try cluster.sql("SELECT count(*) FROM record_statement", database: "outbox").trimmingCharacters(in: .whitespacesAndNewlines)
        return try #require(Int(count))
    }

    @Test func aGroupCostsTheSameStatementsWhateverItsSize() async throws {
        let fixture = try await StoreFixture(.postgres)
        defer { fixture.close() }
        _ = try #require(fixture.cluster).sql(Self.statementLog, database: "outbox")
        let two = try await statements(forGroupOf: 2, fixture), twenty = try await statements(forGroupOf: 20, fixture)
        print("record path: \(two) statements for 2 sent messages, \(twenty) for 20")
        #expect(two == twenty, "the statement count does not grow with the group")
        // One UPDATE of message, one of recipient, one INSERT of the events, one INSERT … ON CONFLICT
        // DO UPDATE of the sent headers (its statement triggers fire for INSERT and for UPDATE).
        #expect(twenty == 5)
    }

    @Test func aMixedGroupRecordsOnlyTheMessagesStillLeased() async throws {
        let fixture = try await StoreFixture(.postgres)
        defer { fixture.close() }
        let store = try #require(fixture.postgres), cluster = try #require(fixture.cluster)
        let drafts = try (0..<6).map { try draft("m\($0)@example.com", key: "m-\($0)") }
        _ = try await store.enqueue(batchKey: "mixed", source: nil, now: 1_000, attachments: fixture.attachmentPolicy, messages: entries(drafts))
        let claimed = try await store.claimBatch(leaseOwner: "node-a", limit: 6, now: 2_000, dueBy: 2_000, leaseUntil: 60_000).messages
        try #require(claimed.count == 6)
        let ids = claimed.map(\.id).sorted()
        // Node B took over the second, fourth and sixth (node A's lease had expired).
        let taken = [ids[1], ids[3], ids[5]]
        _ = try cluster.sql("UPDATE message SET lease_owner = 'node-b' WHERE id IN (\(taken.map(String.init).joined(separator: ",")))", database: "outbox")
        let address = Dictionary(uniqueKeysWithValues: claimed.map { ($0.id, $0.recipients[0].mailbox.address) })
        // Out of id order on purpose: the answers follow the entries' order.
        let verdicts: [Int64: DeliveryRecord.Verdict] = [
            ids[0]: .sent, ids[1]: .sent, ids[2]: .deferred(nextAttemptAt: 9_000), ids[3]: .failed, ids[4]: .failed, ids[5]: .deferred(nextAttemptAt: 9_000),
        ]
        let order = [ids[4], ids[1], ids[0], ids[5], ids[2], ids[3]]
        let pending = order.map { id in
            PendingRecord(outcome(verdicts[id]!, address[id]!, code: verdicts[id] == .sent ? 250 : 451, text: "reply for \(id)"), messageID: id)
        }
        let recorded = try await store.record(pending, leaseOwner: "node-a", now: 3_000)
        #expect(recorded == order.map { !taken.contains($0) })

        let rows = try cluster.sql("""
            SELECT id, state, attempts, next_attempt_at, coalesce(lease_owner, '-'), coalesce(last_error, '-'), coalesce(finished_at, -1) FROM message ORDER BY id
            """, database: "outbox").split(separator: "\n").map(String.init)
        #expect(rows == [
            "\(ids[0])|sent|1|1000|-|-|3000",
            "\(ids[1])|sending|0|1000|node-b|-|-1",
            "\(ids[2])|deferred|1|9000|-|reply for \(ids[2])|-1",
            "\(ids[3])|sending|0|1000|node-b|-|-1",
            "\(ids[4])|failed|1|1000|-|reply for \(ids[4])|3000",
            "\(ids[5])|sending|0|1000|node-b|-|-1",
        ])
        let recipients = try cluster.sql("SELECT message_id, state, coalesce(last_code, 0) FROM recipient ORDER BY message_id", database: "outbox")
        #expect(recipients.split(separator: "\n") == [
            "\(ids[0])|sent|250", "\(ids[1])|pending|0", "\(ids[2])|deferred|451", "\(ids[3])|pending|0", "\(ids[4])|failed|451", "\(ids[5])|pending|0",
        ])
        let events = try await store.events(EventFilter()).filter { $0.kind != "enqueued" }
        #expect(events.map { "\($0.messageID ?? 0) \($0.kind) \($0.code ?? 0) \($0.detail ?? "-")" } == [
            "\(ids[0]) attempt 250 attempt 1", "\(ids[0]) sent 250 reply for \(ids[0])",
            "\(ids[2]) attempt 451 attempt 1", "\(ids[2]) deferred 451 reply for \(ids[2])",
            "\(ids[4]) attempt 451 attempt 1", "\(ids[4]) failed 451 reply for \(ids[4])",
        ])
        #expect(events.allSatisfy { $0.at == 3_000 && $0.owner == "alice" && $0.enhancedCode != nil })
        #expect(try cluster.sql("SELECT message_id FROM sent_header", database: "outbox").trimmingCharacters(in: .whitespacesAndNewlines) == "\(ids[0])")
        #expect(try await store.status().totals == ["sending": 3, "sent": 1, "deferred": 1, "failed": 1])
    }
}
