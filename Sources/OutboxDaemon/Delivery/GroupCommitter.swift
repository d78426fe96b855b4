import Foundation
import OutboxStore

/// Group commit of delivery outcomes. A worker hands in its outcome and blocks until it is
/// committed; whichever waiting worker finds no commit under way becomes the leader and
/// writes every pending outcome in ONE transaction (one WAL sync), then wakes the others.
/// A worker starts its next message only after its previous outcome is committed, so at
/// most one accepted-but-unrecorded message per worker exists at any moment.
final class GroupCommitter: @unchecked Sendable {
    private let database: OutboxDatabase
    private let leaseOwner: String
    private let condition = NSCondition()
    private var pending: [Ticket] = []  // guarded by `condition`
    private var committing = false  // guarded by `condition`
    /// Transactions written and outcomes in them, for tests and figures.
    private(set) var commits = 0, committed = 0  // guarded by `condition`

    private final class Ticket {
        let entry: PendingRecord
        var result: Result<Bool, any Error>?
        init(_ entry: PendingRecord) { self.entry = entry }
    }

    init(database: OutboxDatabase, leaseOwner: String) {
        self.database = database
        self.leaseOwner = leaseOwner
    }

    /// Records `entry` together with whatever else is pending; returns once it is
    /// committed: false when the message is no longer leased to this engine.
    func record(_ entry: PendingRecord) throws -> Bool {
        let ticket = Ticket(entry)
        condition.lock()
        defer { condition.unlock() }
        pending.append(ticket)
        while ticket.result == nil {
            guard !committing else {
                condition.wait()
                continue
            }
            committing = true
            let group = pending
            pending.removeAll(keepingCapacity: true)
            condition.unlock()
            let outcome = Result { try database.record(group.map(\.entry), leaseOwner: leaseOwner, now: DeliveryWorker.now()) }
            condition.lock()
            for (index, member) in group.enumerated() { member.result = outcome.map { $0[index] } }
            commits += 1
            committed += group.count
            committing = false
            condition.broadcast()
        }
        return try ticket.result!.get()
    }

    /// Outcomes queued behind the commit under way.
    var waiting: Int {
        condition.lock()
        defer { condition.unlock() }
        return pending.count
    }

    /// (transactions, outcomes) committed so far.
    var figures: (commits: Int, committed: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (commits, committed)
    }
}
