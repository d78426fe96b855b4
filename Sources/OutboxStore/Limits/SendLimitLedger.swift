/// Where per-account connection caps and per-owner rate limits are counted (issue #14):
/// in this process's memory for one node on SQLite (``LocalConnectionSlots``,
/// ``LocalSendRates``), in the database when several nodes share a PostgreSQL outbox
/// (`PostgresSendLimits`, module OutboxPostgres), so the limits hold across nodes.
///
/// The calls may block for a database round trip: make them from a thread of your own
/// (the delivery workers), never from a task of Swift's cooperative pool.
public typealias SendLimitLedger = ConnectionSlotLedger & SendRateLedger

/// Connection slots per account under a cap: a slot is taken before a connection is opened
/// and given back after it is closed, so no more than the cap are ever open at once.
public protocol ConnectionSlotLedger: Sendable {
    /// True when other nodes take slots too: a holder then renews its slots before their
    /// lease ends (a node that dies loses them when it does) and looks again for a free
    /// slot now and then, as no check-in of another node wakes it.
    var isShared: Bool { get }
    /// How long a slot is held without a renewal (shared ledgers), in milliseconds.
    var slotLease: Int64 { get }

    /// Takes a slot of `account` for `holder` while fewer than `cap` are taken; nil at the cap.
    func acquireConnection(_ account: ConnectionAccount, cap: Int, holder: String) throws -> ConnectionSlot?
    /// Gives slots back (their connections are closed).
    func releaseConnections(_ slots: [ConnectionSlot]) throws
    /// Extends the lease of `slots`; returns the ids of those still held (a slot whose lease
    /// ran out may have gone to another holder: its connection must be closed).
    func renewConnections(_ slots: [ConnectionSlot]) throws -> Set<Int64>
}

/// Admission of sends under an owner's limits: messages per minute, hour and day and
/// recipients per day over sliding windows, per-minute and per-hour limits spread evenly.
public protocol SendRateLedger: Sendable {
    /// Admits one send of a message to `recipients` envelope recipients for `owner`, or says
    /// until when it must wait (on the caller's clock: `now` plus the ledger's wait) and
    /// why. An admitted send counts until ``finishSend(_:sent:)``, then as sent if it was.
    func admitSend(owner: String, limits: SendLimits, recipients: Int, holder: String, now: Int64) throws -> SendAdmission
    /// Ends an admission: `sent` when the server may have accepted the message (it keeps
    /// counting), false when it certainly did not. May return before a shared ledger
    /// stored it; the send counts as under way until then.
    func finishSend(_ ticket: SendTicket, sent: Bool)
}

/// Who a server counts connections for: the host (lower-cased), port and login.
public struct ConnectionAccount: Hashable, Sendable, CustomStringConvertible {
    public let host: String
    public let port: Int
    public let user: String

    public init(host: String, port: Int, user: String) {
        self.host = host.lowercased()
        self.port = port
        self.user = user
    }

    /// `user@host:port`, the account's key in a shared ledger.
    public var description: String { "\(user)@\(host):\(port)" }
}

/// One connection slot taken by ``ConnectionSlotLedger/acquireConnection(_:cap:holder:)``.
public struct ConnectionSlot: Hashable, Sendable {
    public let account: ConnectionAccount
    public let id: Int64

    public init(account: ConnectionAccount, id: Int64) {
        self.account = account
        self.id = id
    }
}

/// An owner's rate limits as a ledger applies them; nil means no limit.
public struct SendLimits: Hashable, Sendable {
    public var perMinute: Int?
    public var perHour: Int?
    public var perDay: Int?
    public var recipientsPerDay: Int?
    /// The least time between two admitted sends (milliseconds), 0 for none.
    public var spacing: Int64

    public init(perMinute: Int? = nil, perHour: Int? = nil, perDay: Int? = nil, recipientsPerDay: Int? = nil, spacing: Int64 = 0) {
        self.perMinute = perMinute
        self.perHour = perHour
        self.perDay = perDay
        self.recipientsPerDay = recipientsPerDay
        self.spacing = spacing
    }

    /// The message limits with their window in milliseconds, shortest first.
    public var windows: [(window: SendWindow, limit: Int)] {
        [(SendWindow.minute, perMinute), (.hour, perHour), (.day, perDay)].compactMap { window, limit in limit.map { (window, $0) } }
    }

    /// False when nothing limits the owner.
    public var isLimited: Bool { perMinute != nil || perHour != nil || perDay != nil || recipientsPerDay != nil || spacing > 0 }
}

/// A sliding window of a message limit.
public enum SendWindow: String, Hashable, Sendable, CaseIterable {
    case minute, hour, day

    public var milliseconds: Int64 {
        switch self {
        case .minute: 60_000
        case .hour: 3_600_000
        case .day: 86_400_000
        }
    }
}

/// The answer of ``SendRateLedger/admitSend(owner:limits:recipients:holder:now:)``.
public enum SendAdmission: Hashable, Sendable {
    /// Send now; end the admission with ``SendRateLedger/finishSend(_:sent:)``.
    case go(SendTicket)
    /// Not before `until` (the caller's clock), because of `reason`.
    case wait(until: Int64, reason: SendLimitReason)
}

/// Why a send must wait.
public enum SendLimitReason: Hashable, Sendable {
    /// The owner sent `limit` messages in the last `window`.
    case messages(SendWindow, limit: Int)
    /// The owner's recipients in the last 24 hours would pass `limit`.
    case recipientsPerDay(limit: Int)
    /// Sends are spread evenly, `milliseconds` apart.
    case spacing(milliseconds: Int64)
}

/// An admitted send, until ``SendRateLedger/finishSend(_:sent:)``.
public struct SendTicket: Hashable, Sendable {
    public let owner: String
    public let recipients: Int
    /// The admission's row in a shared ledger (0 in memory).
    public let id: Int64
    /// When it was admitted, on the ledger's clock.
    public let admittedAt: Int64

    public init(owner: String, recipients: Int, id: Int64, admittedAt: Int64) {
        self.owner = owner
        self.recipients = recipients
        self.id = id
        self.admittedAt = admittedAt
    }
}
