import OutboxCore
import OutboxStore
import Synchronization

/// Per-owner rate limits of the resolved profile: messages per minute, hour and day, and
/// recipients per day, each over a sliding window, with the sends under way counted too so
/// parallel workers cannot overshoot. Per-minute and per-hour limits are also spread evenly:
/// sends are spaced `60 s / per-minute` (or `1 h / per-hour`) apart instead of bursting at
/// the start of a window. A profile a server told to slow down is paced by ``SendPace`` too.
///
/// The counting is the ledger's: ``LocalSendRates`` (this node's memory and its `sent`
/// events) on SQLite, the database's when several nodes share a PostgreSQL outbox.
final class RateGate: Sendable {
    private let ledger: any SendRateLedger
    /// The node the admissions are held by (the engine's lease owner).
    private let holder: String
    /// The admissions under way per owner, ended by ``finish(owner:recipients:sent:)``.
    private let tickets = Mutex<[String: [SendTicket]]>([:])
    /// The pace of profiles a server told to slow down; consulted after the limits.
    let pace: SendPace

    /// - Parameters:
    ///   - ledger: where the limits are counted (shared by several nodes), or nil for
    ///     ``LocalSendRates`` on `database`.
    ///   - holder: the node the admissions are held by.
    convenience init(database: OutboxDatabase, pace policy: PacePolicy = PacePolicy(), ledger: (any SendRateLedger)? = nil, holder: String = "") {
        self.init(ledger: ledger ?? LocalSendRates(database: database), pace: SendPace(store: database, policy: policy), holder: holder)
    }

    /// A gate counting in `ledger`, paced by `pace` (e.g. on a store without SQLite).
    init(ledger: any SendRateLedger, pace: SendPace, holder: String) {
        self.ledger = ledger
        self.holder = holder
        self.pace = pace
    }

    /// The least time between two sends of `profile` for its limits to be spread evenly; 0 for none.
    static func spacing(_ profile: ResolvedProfile) -> Int64 {
        max(profile.perMinute.map { 60_000 / Int64(max(1, $0)) } ?? 0, profile.perHour.map { 3_600_000 / Int64(max(1, $0)) } ?? 0)
    }

    /// The limits of `profile` as the ledger applies them.
    static func limits(_ profile: ResolvedProfile) -> SendLimits {
        SendLimits(perMinute: profile.perMinute, perHour: profile.perHour, perDay: profile.perDay, recipientsPerDay: profile.recipientsPerDay,
                   spacing: spacing(profile))
    }

    /// Reserves a send of a message to `recipients` envelope recipients for the profile's
    /// owner. Returns nil when it may go (call ``finish(owner:recipients:sent:)`` after
    /// recording), or the time its window opens again and why.
    func reserve(_ profile: ResolvedProfile, recipients: Int = 1, now: Int64) throws -> (until: Int64, reason: String)? {
        let limits = Self.limits(profile)
        guard limits.isLimited else { return pace.admit(owner: profile.owner, now: now) }
        if let paused = pace.waiting(owner: profile.owner, now: now) { return paused }
        switch try ledger.admitSend(owner: profile.owner, limits: limits, recipients: recipients, holder: holder, now: now) {
        case .wait(let until, let reason):
            return (until, Self.describe(reason, profile: profile))
        case .go(let ticket):
            if let paced = pace.admit(owner: profile.owner, now: now) {  // slowed meanwhile by another worker's throttled reply
                ledger.finishSend(ticket, sent: false)
                return paced
            }
            tickets.withLock { $0[profile.owner, default: []].append(ticket) }
            return nil
        }
    }

    /// Ends a reservation made by ``reserve(_:recipients:now:)``: `sent` when the server may
    /// have accepted the message, false when it certainly did not.
    func finish(owner: String, recipients: Int = 1, sent: Bool) {
        let ticket = tickets.withLock { tickets -> SendTicket? in
            guard var held = tickets[owner], let index = held.lastIndex(where: { $0.recipients == recipients }) ?? held.indices.last else { return nil }
            let ticket = held.remove(at: index)
            tickets[owner] = held.isEmpty ? nil : held
            return ticket
        }
        if let ticket { ledger.finishSend(ticket, sent: sent) }
    }

    /// Today's wording of a limit, e.g. `owner a reached its limit of 30 per minute (the provider's published limit)`.
    static func describe(_ reason: SendLimitReason, profile: ResolvedProfile) -> String {
        let origin = { (field: String) in profile.origins[field] == .preset ? " (the provider's published limit)" : "" }
        switch reason {
        case .messages(let window, let limit):
            let field = switch window {
            case .minute: "perMinute"
            case .hour: "perHour"
            case .day: "perDay"
            }
            return "owner \(profile.owner) reached its limit of \(limit) per \(window.rawValue)\(origin(field))"
        case .recipientsPerDay(let limit):
            return "owner \(profile.owner) reached its limit of \(limit) recipients per 24 hours\(origin("recipientsPerDay"))"
        case .spacing(let milliseconds):
            return "owner \(profile.owner): sends spread evenly, one every \(Double(milliseconds) / 1000) s"
        }
    }
}

extension DeliveryRecord {
    /// True when the server may have taken the message (sent, partly sent or unknown): the
    /// send keeps counting against the owner's limits.
    var mayHaveBeenAccepted: Bool {
        switch verdict {
        case .sent, .unknown: true
        case .deferred, .failed, .expired: recipients.contains { $0.state == .sent }
        }
    }
}
