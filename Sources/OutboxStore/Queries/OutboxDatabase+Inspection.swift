import GRDB

extension OutboxDatabase {
    /// Counts by owner and state, the oldest queued message and the last event.
    /// Reads maintained counters, so it stays fast with millions of messages.
    public func status() throws -> OutboxStatus {
        try pool.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT owner, state, n FROM message_count WHERE n > 0 ORDER BY owner, state")
            let counts = rows.map { OutboxStatus.Count(owner: $0["owner"], state: $0["state"], count: $0["n"]) }
            var totals: [String: Int] = [:]
            for count in counts { totals[count.state, default: 0] += count.count }
            let oldest = try Int64.fetchOne(db, sql: "SELECT created_at FROM message WHERE state = 'queued' AND \(ThroughputMigration.openStateTerm("state")) ORDER BY id LIMIT 1")
            let last = try Row.fetchOne(db, sql: "SELECT * FROM event ORDER BY id DESC LIMIT 1").map(EventRecord.init(row:))
            return OutboxStatus(counts: counts, totals: totals, oldestQueuedAt: oldest, lastEvent: last)
        }
    }

    /// Messages matching `filter`, in id order.
    public func messages(_ filter: MessageFilter) throws -> [MessageSummary] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let state = filter.state {
            conditions.append("m.state = ?")
            arguments += [state]
            if state != "sent" { conditions.append(ThroughputMigration.openStateTerm("m.state")) }
        }
        if let owner = filter.owner { conditions.append("m.owner = ?"); arguments += [owner] }
        if let batch = filter.batchID { conditions.append("m.batch_id = ?"); arguments += [batch] }
        if let since = filter.since { conditions.append("m.created_at >= ?"); arguments += [since] }
        if let after = filter.afterID { conditions.append("m.id > ?"); arguments += [after] }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        arguments += [filter.limit]
        return try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT \(MessageSummary.columns) FROM message m \(whereClause) ORDER BY m.id LIMIT ?",
                             arguments: arguments).map(MessageSummary.init(row:))
        }
    }

    /// One message with recipients, attachments and its event timeline.
    public func message(id: Int64) throws -> MessageDetail {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT \(MessageSummary.columns), m.token, m.headers, m.text_body, m.html_body
                FROM message m WHERE m.id = ?
                """, arguments: [id])
            else { throw StoreError(.notFound, "no message with id \(id)") }
            let recipients = try Row.fetchAll(db, sql: "SELECT * FROM recipient WHERE message_id = ? ORDER BY id", arguments: [id]).map {
                MessageDetail.RecipientEntry(kind: $0["kind"], address: $0["address"], displayName: $0["display_name"],
                                             state: $0["state"], lastCode: $0["last_code"], lastReply: $0["last_reply"],
                                             bounceReason: $0["bounce_reason"], bounceSeverity: $0["bounce_severity"])
            }
            let attachments = try Row.fetchAll(db, sql: """
                SELECT a.filename, a.content_type, a.sha256, a.content_id, c.size FROM attachment a JOIN content c USING (sha256)
                WHERE a.message_id = ? ORDER BY a.position
                """, arguments: [id]).map {
                MessageDetail.AttachmentEntry(filename: $0["filename"], contentType: $0["content_type"], sha256: $0["sha256"], size: $0["size"],
                                              contentID: $0["content_id"])
            }
            let events = try Row.fetchAll(db, sql: "SELECT * FROM event WHERE message_id = ? ORDER BY id", arguments: [id])
                .map(EventRecord.init(row:))
            return MessageDetail(
                summary: MessageSummary(row: row), token: row["token"],
                headers: HeaderCoding.decode(row["headers"]).map { MessageDetail.Header(name: $0.name, value: $0.value) },
                textBytes: StoredBytes.textLength(row["text_body"]), htmlBytes: StoredBytes.textLength(row["html_body"]),
                recipients: recipients, attachments: attachments, events: events)
        }
    }

    /// Events matching `filter`, in id order.
    public func events(_ filter: EventFilter) throws -> [EventRecord] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let kind = filter.kind { conditions.append("kind = ?"); arguments += [kind] }
        if let message = filter.messageID { conditions.append("message_id = ?"); arguments += [message] }
        if let batch = filter.batchID { conditions.append("batch_id = ?"); arguments += [batch] }
        if let owner = filter.owner { conditions.append("owner = ?"); arguments += [owner] }
        if let owners = filter.owners { conditions.append("owner IN (\(databaseQuestionMarks(count: owners.count)))"); arguments += StatementArguments(owners) }
        if let since = filter.since { conditions.append("at >= ?"); arguments += [since] }
        if let after = filter.afterID { conditions.append("id > ?"); arguments += [after] }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        arguments += [filter.limit]
        return try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM event \(whereClause) ORDER BY id LIMIT ?", arguments: arguments)
                .map(EventRecord.init(row:))
        }
    }

    /// The id of the newest event (0 when there is none): where `events --follow` starts.
    public func lastEventID() throws -> Int64 {
        try pool.read { db in try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) FROM event") ?? 0 }
    }
}
