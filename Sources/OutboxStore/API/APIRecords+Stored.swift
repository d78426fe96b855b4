import Foundation
import OutboxCore

// The API's records as another store (PostgreSQL) reads them, with the same meaning as
// the SQLite rows they mirror.

extension APITokenRecord {
    /// A row of another store's `api_token` (`owners` as stored: a JSON array or nil).
    package static func stored(id: Int64, name: String, owners: String?, createdAt: Int64, revokedAt: Int64?) -> APITokenRecord {
        APITokenRecord(id: id, name: name, owners: owners.flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) },
                       createdAt: createdAt, revokedAt: revokedAt)
    }
}

extension BatchSummary {
    /// A batch row of another store with its messages' states.
    package static func stored(id: Int64, key: String?, source: String?, createdAt: Int64, enqueued: Int, duplicates: Int,
                               states: [String: Int]) -> BatchSummary {
        BatchSummary(id: id, key: key, source: source, createdAt: createdAt, enqueued: enqueued, duplicates: duplicates, states: states)
    }
}

extension StoredContentReference {
    /// The reference to content `sha256` of `size` bytes; `created` when this call stored it.
    package static func stored(sha256: String, size: Int, created: Bool) -> StoredContentReference {
        StoredContentReference(contentRef: ContentReference.make(sha256: sha256), sha256: sha256, size: size, created: created)
    }
}

extension QueueHealth {
    /// Another store's reading of the queue's health.
    package static func stored(activeOwners: [String], holds: [(owner: String, until: Int64, reason: String)], oldestDueAt: Int64?,
                               waiting: Int) -> QueueHealth {
        QueueHealth(activeOwners: activeOwners, holds: holds.map { Hold(owner: $0.owner, until: $0.until, reason: $0.reason) },
                    oldestDueAt: oldestDueAt, waiting: waiting)
    }
}

extension OutcomeOverview {
    /// The SQL condition of the events the status page counts, as PostgreSQL's partial index has it.
    package static var outcomeKinds: String { StatusPageMigration.outcomeKindsList }

    /// The overview from grouped rows (`kind`, Unix minute, `reason`, `code`, count) and the
    /// newest failures of each kind, summed and ordered as on SQLite.
    package static func assembled(since: Int64, groups: [(kind: String, minute: Int64, reason: String?, code: Int?, count: Int)],
                                  failures: [Failure], failureLimit: Int) -> OutcomeOverview {
        var minutes: [Int64: Minute] = [:]
        var reasons: [String: [String: Int]] = [:]
        for group in groups {
            var entry = minutes[group.minute] ?? Minute(minute: group.minute)
            switch group.kind {
            case "sent": entry.sent += group.count
            case "bounced": entry.bounced += group.count
            default: entry.failed += group.count
            }
            minutes[group.minute] = entry
            guard group.kind != "sent" else { continue }
            let label = reasonLabel(kind: group.kind, reason: group.reason, code: group.code)
            reasons[group.kind == "bounced" ? "bounced" : "failed", default: [:]][label, default: 0] += group.count
        }
        let reasonList = reasons.flatMap { kind, counts in counts.map { Reason(kind: kind, reason: $0.key, count: $0.value) } }
            .sorted { ($0.count, $1.kind, $1.reason) > ($1.count, $0.kind, $0.reason) }
        return OutcomeOverview(since: since, minutes: minutes.values.sorted { $0.minute < $1.minute }, reasons: reasonList,
                               latestFailures: Array(failures.sorted { ($0.event.at, $0.event.id) > ($1.event.at, $1.event.id) }.prefix(failureLimit)))
    }
}

extension OutcomeOverview.Failure {
    /// A failure event of another store with its message's first recipient.
    package static func stored(_ event: EventRecord, firstRecipient: String?) -> OutcomeOverview.Failure {
        OutcomeOverview.Failure(event: event, firstRecipient: firstRecipient)
    }
}

extension StoredContent {
    /// `bytes` as the `content` table keeps them (compressed when that pays), for another store.
    package static func encoded(_ bytes: [UInt8]) -> StoredContent { StoredContent(bytes) }
}
