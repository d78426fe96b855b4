import GRDB
import OutboxCore

/// A URL an application registered to be told about events (never its secret).
public struct WebhookEndpoint: Sendable, Hashable, Codable {
    public let id: Int64
    public let url: String
    /// The event kinds delivered, e.g. `bounced`, `failed`.
    public let events: [String]
    /// Only this owner's events; nil: every owner.
    public let owner: String?
    /// Plain `http://` to a host that is not loopback, allowed by the operator.
    public let allowsPlainHTTP: Bool
    /// Unix milliseconds.
    public let createdAt: Int64
    /// Deliveries waiting (to be sent or retried), and those given up.
    public let pending: Int
    public let failed: Int

    init(row: Row) {
        id = row["id"]
        url = row["url"]
        events = (row["events"] as String).split(separator: ",").map(String.init)
        owner = row["owner"]
        allowsPlainHTTP = row["allow_http"]
        createdAt = row["created_at"]
        pending = (row["pending"] as Int?) ?? 0
        failed = (row["failed"] as Int?) ?? 0
    }

    /// The event kinds an endpoint may ask for: every kind the event log records.
    /// `unsubscribed` is accepted ahead of the one-click unsubscribe that writes it.
    public static let knownEvents: Set<String> = Set(EventKind.allCases.map(\.rawValue))
        .union(BounceEventKind.allCases.map(\.rawValue))
        .union(["unsubscribed", "suppression-removed"])
}

/// One event to one endpoint, and how its delivery went so far.
public struct WebhookDeliveryInfo: Sendable, Hashable, Codable {
    public let id: Int64
    public let endpointID: Int64
    public let eventID: Int64
    public let eventKind: String?
    /// `pending`, `delivered` or `failed`.
    public let state: String
    public let attempts: Int
    /// Unix milliseconds.
    public let nextAttemptAt: Int64?
    public let lastStatus: Int?
    public let lastError: String?
    public let createdAt: Int64
    public let finishedAt: Int64?
    /// Every attempt, oldest first.
    public let history: [WebhookAttempt]
}

/// One HTTP attempt of a delivery.
public struct WebhookAttempt: Sendable, Hashable, Codable {
    /// Unix milliseconds.
    public let at: Int64
    /// The HTTP status; nil when no response came.
    public let status: Int?
    public let latencyMilliseconds: Int64
    public let error: String?
}

extension WebhookEndpoint {
    /// An endpoint as another store keeps it.
    package init(id: Int64, url: String, events: String, owner: String?, allowsPlainHTTP: Bool, createdAt: Int64, pending: Int, failed: Int) {
        self.id = id
        self.url = url
        self.events = events.split(separator: ",").map(String.init)
        self.owner = owner
        self.allowsPlainHTTP = allowsPlainHTTP
        self.createdAt = createdAt
        self.pending = pending
        self.failed = failed
    }
}

extension WebhookDeliveryInfo {
    /// A delivery as another store keeps it (`nextAttemptAt` only while `pending`, as on SQLite).
    package init(id: Int64, endpointID: Int64, eventID: Int64, eventKind: String?, state: String, attempts: Int, nextAttemptAt: Int64,
                 lastStatus: Int?, lastError: String?, createdAt: Int64, finishedAt: Int64?, history: [WebhookAttempt]) {
        self.init(id: id, endpointID: endpointID, eventID: eventID, eventKind: eventKind, state: state, attempts: attempts,
                  nextAttemptAt: state == "pending" ? nextAttemptAt : nil, lastStatus: lastStatus, lastError: lastError, createdAt: createdAt,
                  finishedAt: finishedAt, history: history)
    }
}

extension WebhookAttempt {
    /// An attempt as another store keeps it.
    package init(at: Int64, status: Int?, latency: Int64, error: String?) {
        self.init(at: at, status: status, latencyMilliseconds: latency, error: error)
    }
}
