import OutboxCore
import OutboxStore
import Synchronization

/// Per-owner rate limits of the resolved profile: messages per minute, hour and day, and
/// recipients per day, each over a sliding window counted from the owner's `sent` events —
/// so the counts survive a restart — plus the sends this process has under way, so parallel
/// workers cannot overshoot. Per-minute and per-hour limits are also spread evenly: sends
/// are spaced `60 s / per-minute` (or `1 h / per-hour`) apart instead of bursting at the
/// start of a window. A profile a server told to slow down is paced by ``SendPace`` too.
final class RateGate: Sendable {
    private struct Busy {
        var messages = 0
        var recipients = 0
    }

    private let inFlight = Mutex<[String: Busy]>([:])
    /// Per owner: the earliest time of its next send when its limits are spread evenly.
    private let nextSlot = Mutex<[String: Int64]>([:])
    private let database: OutboxDatabase
    /// The pace of profiles a server told to slow down; consulted after the limits.
    let pace: SendPace

    init(database: OutboxDatabase, pace policy: PacePolicy = PacePolicy()) {
        self.database = database
        self.pace = SendPace(database: database, policy: policy)
    }

    /// The least time between two sends of `profile` for its limits to be spread evenly; 0 for none.
    static func spacing(_ profile: ResolvedProfile) -> Int64 {
        max(profile.perMinute.map { 60_000 / Int64(max(1, $0)) } ?? 0, profile.perHour.map { 3_600_000 / Int64(max(1, $0)) } ?? 0)
    }

    /// Reserves a send of a message to `recipients` envelope recipients for the profile's
    /// owner. Returns nil when it may go (call ``finish(owner:recipients:)`` after
    /// recording), or the time its window opens again and why.
    func reserve(_ profile: ResolvedProfile, recipients: Int = 1, now: Int64) throws -> (until: Int64, reason: String)? {
        let limits: [(Int?, Int64, String)] = [
            (profile.perMinute, 60_000, "minute"), (profile.perHour, 3_600_000, "hour"), (profile.perDay, 86_400_000, "day"),
        ]
        guard limits.contains(where: { $0.0 != nil }) || profile.recipientsPerDay != nil else {
            return pace.admit(owner: profile.owner, now: now)
        }
        let origin = { (name: String) in profile.origins[name] == .preset ? " (the provider's published limit)" : "" }
        return try inFlight.withLock { inFlight -> (until: Int64, reason: String)? in
            let busy = inFlight[profile.owner, default: Busy()]
            for case let (limit?, window, name) in limits {
                let (sent, oldest) = try database.sentCount(owner: profile.owner, since: now - window)
                if sent + busy.messages >= limit {
                    let opens = oldest.map { $0 + window + 1 } ?? now + 1_000
                    let field = name == "minute" ? "perMinute" : name == "hour" ? "perHour" : "perDay"
                    return (max(opens, now + 1_000), "owner \(profile.owner) reached its limit of \(limit) per \(name)\(origin(field))")
                }
            }
            if let limit = profile.recipientsPerDay {
                let (sent, oldest) = try database.sentRecipientCount(owner: profile.owner, since: now - 86_400_000)
                // A message with more recipients than the whole limit goes when nothing else counts (never held for ever).
                if sent + busy.recipients > 0, sent + busy.recipients + recipients > limit {
                    let opens = oldest.map { $0 + 86_400_000 + 1 } ?? now + 1_000
                    return (max(opens, now + 1_000),
                            "owner \(profile.owner) reached its limit of \(limit) recipients per 24 hours\(origin("recipientsPerDay"))")
                }
            }
            let spacing = Self.spacing(profile)
            if spacing > 0 {
                // From the last recorded send too, so a restart does not make a burst.
                let recorded = try database.lastSentAt(owner: profile.owner).map { $0 + spacing } ?? 0
                let slot = max(recorded, nextSlot.withLock { $0[profile.owner] ?? 0 })
                if slot > now { return (slot, "owner \(profile.owner): sends spread evenly, one every \(Double(spacing) / 1000) s") }
            }
            if let paced = pace.admit(owner: profile.owner, now: now) { return paced }
            if spacing > 0 { nextSlot.withLock { $0[profile.owner] = max(now, $0[profile.owner] ?? 0) + spacing } }
            inFlight[profile.owner] = Busy(messages: busy.messages + 1, recipients: busy.recipients + recipients)
            return nil
        }
    }

    /// Ends a reservation made by ``reserve(_:recipients:now:)``.
    func finish(owner: String, recipients: Int = 1) {
        inFlight.withLock { inFlight in
            guard var busy = inFlight[owner] else { return }
            busy.messages -= 1
            busy.recipients -= recipients
            inFlight[owner] = busy.messages > 0 ? busy : nil
        }
    }
}
