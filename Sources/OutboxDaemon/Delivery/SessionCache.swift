import OutboxTransport

/// One worker's open SMTP sessions, one per endpoint and login, reused for consecutive
/// messages. Confined to its worker's thread.
final class SessionCache {
    private var sessions: [SessionKey: SMTPSession] = [:]
    private var order: [SessionKey] = []
    private let capacity: Int

    init(capacity: Int = 8) { self.capacity = capacity }

    /// The session for `key`, opened when missing (the least recently opened is closed
    /// when the cache is full).
    func session(_ key: SessionKey, credentials: SMTPCredentials) throws(SMTPSessionError) -> SMTPSession {
        if let session = sessions[key] { return session }
        if sessions.count >= capacity, let oldest = order.first { drop(oldest) }
        let session = try SMTPSession(endpoint: key.endpoint, credentials: credentials)
        sessions[key] = session
        order.append(key)
        return session
    }

    /// Closes one session (after a problem that may have left it in a bad state).
    func drop(_ key: SessionKey) {
        sessions[key] = nil
        order.removeAll { $0 == key }
    }

    /// Closes every session (QUIT), e.g. when the worker goes idle.
    func closeAll() {
        sessions.removeAll()
        order.removeAll()
    }
}
