public import OutboxCore

/// The signing keys of each domain, read from the database and kept for a short while, so
/// a busy sender reads them about once a second instead of once a message. A key stored or
/// deleted meanwhile is seen within ``staleness``. Used by one thread (one per worker).
public final class DKIMKeyring {
    /// How old a read may be before it is read again, in milliseconds.
    public let staleness: Int64
    private let read: (String) throws -> [DKIMSigningKey]
    private var cache: [String: (keys: Result<[DKIMSigningKey], DKIMError>, readAt: Int64)] = [:]

    public convenience init(database: OutboxDatabase, staleness: Int64 = 1000) {
        self.init(store: database, staleness: staleness)
    }

    /// The keys of `store` (SQLite, or PostgreSQL through its blocking bridge).
    public convenience init(store: any DeliveryStore, staleness: Int64 = 1000) {
        self.init(staleness: staleness) { try store.dkimSigningKeys(domain: $0) }
    }

    /// The keys `read` returns for a domain (e.g. a command's PostgreSQL store).
    public init(staleness: Int64 = 1000, read: @escaping (_ domain: String) throws -> [DKIMSigningKey]) {
        self.read = read
        self.staleness = staleness
    }

    /// The keys that sign mail from `domain` (lower case): empty when it has none. Throws
    /// ``DKIMError`` when a stored key cannot be read or the database cannot be.
    public func keys(domain: String, now: Int64) throws(DKIMError) -> [DKIMSigningKey] {
        if let cached = cache[domain], now - cached.readAt <= staleness { return try cached.keys.get() }
        let keys: Result<[DKIMSigningKey], DKIMError>
        do { keys = .success(try read(domain)) } catch let error as DKIMError {
            keys = .failure(error)
        } catch {
            keys = .failure(DKIMError(.unreadableKey, "reading the DKIM keys of \(domain) failed: \(error)"))
        }
        cache[domain] = (keys, now)
        return try keys.get()
    }
}
