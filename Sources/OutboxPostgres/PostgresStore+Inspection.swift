import OutboxStore
import PostgresNIO

extension PostgresStore {
    /// Counts by owner and state, the oldest queued message and the last event (`status`).
    public func status() async throws -> OutboxStatus {
        try await PostgresCounts.fold(client, logger: logger)
        return try await client.withConnection { connection in
            let counts = try await PostgresCounts.read(connection, logger: logger)
            var totals: [String: Int] = [:]
            for count in counts { totals[count.state, default: 0] += count.count }
            var oldest: Int64?
            for try await at in try await connection.query(
                "SELECT created_at FROM message WHERE state = 'queued' ORDER BY id LIMIT 1", logger: logger).decode(Int64.self) {
                oldest = at
            }
            let last = try await Self.events(connection, logger: logger, PostgresQuery(unsafeSQL: "SELECT \(Self.eventColumns) FROM event ORDER BY id DESC LIMIT 1"))
            return OutboxStatus(counts: counts, totals: totals, oldestQueuedAt: oldest, lastEvent: last.first)
        }
    }

    /// Messages matching `filter`, in id order (`list`).
    public func messages(_ filter: MessageFilter) async throws -> [MessageSummary] {
        var query = FilteredQuery()
        if let state = filter.state { query.add("m.state = ", state) }
        if let owner = filter.owner { query.add("m.owner = ", owner) }
        if let batch = filter.batchID { query.add("m.batch_id = ", batch) }
        if let since = filter.since { query.add("m.created_at >= ", since) }
        if let after = filter.afterID { query.add("m.id > ", after) }
        let sql = "SELECT \(Self.summaryColumns) FROM message m \(query.whereClause) ORDER BY m.id LIMIT \(query.bind(filter.limit))"
        return try await client.withConnection { connection in
            try await Self.summaries(connection, logger: logger, PostgresQuery(unsafeSQL: sql, binds: query.binds))
        }
    }

    /// One message with recipients, attachments and events (`show`).
    public func message(id: Int64) async throws -> MessageDetail {
        try await client.withConnection { connection in
            var binds = PostgresBindings()
            binds.append(id)
            let summaries = try await Self.summaries(connection, logger: logger, PostgresQuery(
                unsafeSQL: "SELECT \(Self.summaryColumns) FROM message m WHERE m.id = $1", binds: binds))
            guard let summary = summaries.first else { throw StoreError(.notFound, "no message with id \(id)") }
            var stored: (token: String, headers: String?, text: String?, html: String?) = ("", nil, nil, nil)
            for try await row in try await connection.query(
                "SELECT token, headers, text_body, html_body FROM message WHERE id = \(id)", logger: logger).decode((String, String?, String?, String?).self) {
                stored = row
            }
            var recipients: [MessageDetail.RecipientEntry] = []
            for try await r in try await connection.query("""
                SELECT kind, address, display_name, state, last_code, last_reply, bounce_reason, bounce_severity
                FROM recipient WHERE message_id = \(id) ORDER BY id
                """, logger: logger).decode((String, String, String?, String, Int?, String?, String?, String?).self) {
                recipients.append(MessageDetail.RecipientEntry(kind: r.0, address: r.1, displayName: r.2, state: r.3, lastCode: r.4, lastReply: r.5,
                                                               bounceReason: r.6, bounceSeverity: r.7))
            }
            var attachments: [MessageDetail.AttachmentEntry] = []
            for try await a in try await connection.query("""
                SELECT a.filename, a.content_type, a.sha256, c.size, a.content_id FROM attachment a JOIN content c USING (sha256)
                WHERE a.message_id = \(id) ORDER BY a.position
                """, logger: logger).decode((String, String?, String, Int, String?).self) {
                attachments.append(MessageDetail.AttachmentEntry(filename: a.0, contentType: a.1, sha256: a.2, size: a.3, contentID: a.4))
            }
            let events = try await Self.events(connection, logger: logger, PostgresQuery(
                unsafeSQL: "SELECT \(Self.eventColumns) FROM event WHERE message_id = $1 ORDER BY id", binds: binds))
            return MessageDetail(
                summary: summary, token: stored.token,
                headers: HeaderCoding.decode(stored.headers).map { MessageDetail.Header(name: $0.name, value: $0.value) },
                textBytes: stored.text?.utf8.count ?? 0, htmlBytes: stored.html?.utf8.count ?? 0,
                recipients: recipients, attachments: attachments, events: events)
        }
    }

    /// Events matching `filter`, in id order (`events`).
    public func events(_ filter: EventFilter) async throws -> [EventRecord] {
        var query = FilteredQuery()
        if let kind = filter.kind { query.add("kind = ", kind) }
        if let message = filter.messageID { query.add("message_id = ", message) }
        if let batch = filter.batchID { query.add("batch_id = ", batch) }
        if let owner = filter.owner { query.add("owner = ", owner) }
        if let owners = filter.owners { query.add("owner = ANY(", owners, ")") }
        if let since = filter.since { query.add("at >= ", since) }
        if let after = filter.afterID { query.add("id > ", after) }
        let sql = "SELECT \(Self.eventColumns) FROM event \(query.whereClause) ORDER BY id LIMIT \(query.bind(filter.limit))"
        return try await client.withConnection { connection in
            try await Self.events(connection, logger: logger, PostgresQuery(unsafeSQL: sql, binds: query.binds))
        }
    }

    static let summaryColumns = """
        m.id, m.batch_id, m.message_key, m.owner, m.state, m.priority, m.subject, m.attempts, m.next_attempt_at,
        m.created_at, m.updated_at, m.finished_at, m.last_code, m.last_error, m.not_before, m.expires_at,
        (SELECT address FROM recipient r WHERE r.message_id = m.id ORDER BY r.id LIMIT 1) AS first_recipient,
        (SELECT COUNT(*) FROM recipient r WHERE r.message_id = m.id) AS recipient_count
        """

    static let eventColumns = "id, at, kind, message_id, batch_id, owner, recipient, code, enhanced_code, detail, reason, severity"

    private static func summaries(_ connection: PostgresConnection, logger: Logger, _ query: PostgresQuery) async throws -> [MessageSummary] {
        var result: [MessageSummary] = []
        for try await c in try await connection.query(query, logger: logger).decode(
            (Int64, Int64, String?, String, String, Int, String, Int, Int64, Int64, Int64, Int64?, Int?, String?, Int64?, Int64?, String?, Int).self) {
            result.append(MessageSummary(
                id: c.0, batchID: c.1, key: c.2, owner: c.3, state: c.4, priority: c.5, subject: c.6, firstRecipient: c.16,
                recipientCount: c.17, attempts: c.7, nextAttemptAt: c.8, createdAt: c.9, updatedAt: c.10, finishedAt: c.11, lastCode: c.12,
                lastError: c.13, notBefore: c.14, expiresAt: c.15))
        }
        return result
    }

    private static func events(_ connection: PostgresConnection, logger: Logger, _ query: PostgresQuery) async throws -> [EventRecord] {
        var result: [EventRecord] = []
        for try await c in try await connection.query(query, logger: logger).decode(
            (Int64, Int64, String, Int64?, Int64?, String?, String?, Int?, String?, String?, String?, String?).self) {
            result.append(EventRecord(id: c.0, at: c.1, kind: c.2, messageID: c.3, batchID: c.4, owner: c.5, recipient: c.6, code: c.7,
                                      enhancedCode: c.8, detail: c.9, reason: c.10, severity: c.11))
        }
        return result
    }
}

/// A `WHERE` clause of `AND`ed conditions with numbered binds (`$1`, `$2`, …).
private struct FilteredQuery {
    var conditions: [String] = []
    var binds = PostgresBindings()

    /// `column` then the bind, e.g. `add("m.owner = ", owner)`.
    mutating func add<Value: PostgresNonThrowingEncodable>(_ prefix: String, _ value: Value, _ suffix: String = "") {
        conditions.append(prefix + bind(value) + suffix)
    }

    /// Adds a bind and returns its placeholder.
    mutating func bind<Value: PostgresNonThrowingEncodable>(_ value: Value) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    var whereClause: String { conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ") }
}
