/// `outbox webhooks add|list|remove|deliveries` as one seam with two implementations:
/// ``OutboxDatabase`` (SQLite) and `PostgresStore` (module OutboxPostgres, issue #14). Each
/// requirement keeps the meaning of the SQLite operation it is named after, so the
/// commands print the same on both stores.
public protocol WebhookStore: Sendable {
    /// Registers `url` for `events` with `secret` sealed; it is told about events from now on.
    func addWebhook(url: String, events: [String], owner: String?, allowsPlainHTTP: Bool, secret: String, now: Int64) async throws -> WebhookEndpoint
    /// Every endpoint, with its count of pending and failed deliveries.
    func webhooks() async throws -> [WebhookEndpoint]
    /// Removes an endpoint with its deliveries; false when there is none with `id`.
    func removeWebhook(id: Int64) async throws -> Bool
    /// Deliveries, newest first, with their attempts.
    func webhookDeliveries(endpointID: Int64?, failedOnly: Bool, limit: Int) async throws -> [WebhookDeliveryInfo]
}

extension OutboxDatabase: WebhookStore {}

/// The ``WebhookDispatcher``'s side of a store (module OutboxDaemon), called from its own
/// threads (blocking). Several nodes may share the store: on a shared one, scheduling and
/// claiming are safe when every node does them, and a claimed delivery is leased (it is
/// due again when the lease ends without an attempt recorded: at-least-once).
public protocol WebhookDispatchStore: Sendable {
    /// Whether any endpoint is registered (the dispatcher idles cheaply when none is).
    func hasWebhooks() throws -> Bool
    /// Turns events after each endpoint's cursor (up to `limit` each) into pending
    /// deliveries and moves the cursors; whether more events wait.
    func scheduleWebhookDeliveries(now: Int64, limit: Int) throws -> (written: Int, more: Bool)
    /// The ids of the registered endpoints.
    func webhookEndpointIDs() throws -> [Int64]
    /// Up to `limit` of `endpointID`'s deliveries due at `now` (not in `busy`), taken for
    /// `lease`: no other node takes them until the lease ends or an attempt is recorded.
    func claimDueWebhookDeliveries(endpointID: Int64, now: Int64, limit: Int, busy: Set<Int64>, lease: Duration) throws -> [WebhookDispatch]
    /// Records one attempt and the delivery's new state.
    func recordWebhookAttempt(deliveryID: Int64, at: Int64, status: Int?, latencyMilliseconds: Int64, error: String?, outcome: WebhookOutcome) throws
}

/// A delivery store that gives the dispatcher a ``WebhookDispatchStore`` of its own
/// (PostgreSQL: one per node, with the node's view of the event log's gaps).
public protocol WebhookDispatchSource: Sendable {
    func makeWebhookDispatchStore() -> any WebhookDispatchStore
}

extension OutboxDatabase: WebhookDispatchStore {
    /// One `serve` owns the SQLite outbox: due deliveries are read, not leased (the
    /// dispatcher's `busy` set keeps a delivery under way from being started twice).
    public func claimDueWebhookDeliveries(endpointID: Int64, now: Int64, limit: Int, busy: Set<Int64>, lease: Duration) throws -> [WebhookDispatch] {
        try dueWebhookDeliveries(endpointID: endpointID, now: now, limit: limit, busy: busy)
    }
}

extension OutboxDatabase: WebhookDispatchSource {
    public func makeWebhookDispatchStore() -> any WebhookDispatchStore { self }
}
