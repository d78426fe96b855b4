import Synchronization

/// Rate admission for one node on SQLite, as fast as before the ledger: the owner's `sent`
/// events in each window — so the counts survive a restart — plus the sends this process
/// has under way (in memory, so parallel workers cannot overshoot), and the next evenly
/// spread slot in memory and after the last recorded send. No write per message.
public final class LocalSendRates: SendRateLedger {
    private struct Busy {
        var messages = 0
        var recipients = 0
    }

    private let database: OutboxDatabase
    private let inFlight = Mutex<[String: Busy]>([:])
    /// Per owner: the earliest time of its next send when its limits are spread evenly.
    private let nextSlot = Mutex<[String: Int64]>([:])

    public init(database: OutboxDatabase) { self.database = database }

    public func admitSend(owner: String, limits: SendLimits, recipients: Int, holder: String, now: Int64) throws -> SendAdmission {
        try inFlight.withLock { inFlight -> SendAdmission in
            let busy = inFlight[owner, default: Busy()]
            for (window, limit) in limits.windows {
                let (sent, oldest) = try database.sentCount(owner: owner, since: now - window.milliseconds)
                if sent + busy.messages >= limit {
                    let opens = oldest.map { $0 + window.milliseconds + 1 } ?? now + 1_000
                    return .wait(until: max(opens, now + 1_000), reason: .messages(window, limit: limit))
                }
            }
            if let limit = limits.recipientsPerDay {
                let (sent, oldest) = try database.sentRecipientCount(owner: owner, since: now - SendWindow.day.milliseconds)
                // A message with more recipients than the whole limit goes when nothing else counts (never held for ever).
                if sent + busy.recipients > 0, sent + busy.recipients + recipients > limit {
                    let opens = oldest.map { $0 + SendWindow.day.milliseconds + 1 } ?? now + 1_000
                    return .wait(until: max(opens, now + 1_000), reason: .recipientsPerDay(limit: limit))
                }
            }
            if limits.spacing > 0 {
                // From the last recorded send too, so a restart does not make a burst.
                let recorded = try database.lastSentAt(owner: owner).map { $0 + limits.spacing } ?? 0
                let slot = max(recorded, nextSlot.withLock { $0[owner] ?? 0 })
                if slot > now { return .wait(until: slot, reason: .spacing(milliseconds: limits.spacing)) }
                nextSlot.withLock { $0[owner] = max(now, $0[owner] ?? 0) + limits.spacing }
            }
            inFlight[owner] = Busy(messages: busy.messages + 1, recipients: busy.recipients + recipients)
            return .go(SendTicket(owner: owner, recipients: recipients, id: 0, admittedAt: now))
        }
    }

    /// Ends the in-memory count; a sent message counts from its `sent` event from now on.
    public func finishSend(_ ticket: SendTicket, sent: Bool) {
        inFlight.withLock { inFlight in
            guard var busy = inFlight[ticket.owner] else { return }
            busy.messages -= 1
            busy.recipients -= ticket.recipients
            inFlight[ticket.owner] = busy.messages > 0 ? busy : nil
        }
    }
}
