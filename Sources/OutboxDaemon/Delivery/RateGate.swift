import OutboxCore
import OutboxStore
import Synchronization

/// Per-owner rate limits (per minute, hour, day of the resolved profile). Counts the
/// owner's `sent` events in each sliding window — so the counts survive a restart — plus
/// the sends this process has under way, so parallel workers cannot overshoot.
final class RateGate: Sendable {
    private let inFlight = Mutex<[String: Int]>([:])
    private let database: OutboxDatabase

    init(database: OutboxDatabase) { self.database = database }

    /// Reserves a send for the profile's owner. Returns nil when it may go (call
    /// ``finish(owner:)`` after recording), or the time its window opens again.
    func reserve(_ profile: ResolvedProfile, now: Int64) throws -> (until: Int64, reason: String)? {
        let limits: [(Int?, Int64, String)] = [
            (profile.perMinute, 60_000, "minute"), (profile.perHour, 3_600_000, "hour"), (profile.perDay, 86_400_000, "day"),
        ]
        guard limits.contains(where: { $0.0 != nil }) else { return nil }
        return try inFlight.withLock { inFlight -> (until: Int64, reason: String)? in
            let busy = inFlight[profile.owner, default: 0]
            for case let (limit?, window, name) in limits {
                let (sent, oldest) = try database.sentCount(owner: profile.owner, since: now - window)
                if sent + busy >= limit {
                    let opens = oldest.map { $0 + window + 1 } ?? now + 1_000
                    return (max(opens, now + 1_000), "owner \(profile.owner) reached its limit of \(limit) per \(name)")
                }
            }
            inFlight[profile.owner] = busy + 1
            return nil
        }
    }

    /// Ends a reservation made by ``reserve(_:now:)``.
    func finish(owner: String) {
        inFlight.withLock { inFlight in
            let left = inFlight[owner, default: 1] - 1
            inFlight[owner] = left > 0 ? left : nil
        }
    }
}
