import OutboxCore
public import OutboxStore

/// The copy into the owner's Sent folder on a PostgreSQL outbox: the node that sent the
/// message makes it (so each copy is made by one node, as on SQLite by the one `serve`)
/// and records the outcome here, on the database clock.
extension PostgresDeliveryStore: SentCopyRecorder {
    public func recordSentCopy(messageID: Int64, owner: String, copied: Bool, detail: String, now: Int64) throws {
        let at = databaseTime(now)
        let store = store
        do {
            try waitingOnThisThread {
                try await store.transaction { connection in
                    try await PostgresEvents.append(connection, logger: store.logger, kind: copied ? .sentCopied : .sentCopyFailed, at: at,
                                                    messageID: messageID, owner: owner, detail: detail)
                }
            }
        } catch {
            throw StoreError(.ioError, "recording the sent copy of message \(messageID) on \(store.location): \(PostgresStore.describe(error))")
        }
    }
}
