import Foundation
public import OutboxStore
import PostgresNIO

/// What `outbox store copy` carried, table by table, and what it did not need to.
public struct StoreCopyReport: Sendable, Encodable {
    public struct Table: Sendable, Encodable {
        public let name: String
        /// Rows copied.
        public let rows: Int
        /// ``OutboxStore/TableDigest`` of the copied rows, equal on both stores.
        public let sha256: String
    }

    public let source: String
    /// The SQLite schema step the source is at.
    public let sourceSchema: String
    public let target: String
    public let tables: [Table]
    /// SQLite data deliberately not copied, with why (derived or internal, never content).
    public let notCarried: [String]
    /// Messages that were `sending` at the snapshot: their outcome is known only to the SQLite side.
    public let sendingAtSnapshot: Int
    /// The highest event id in the target after the copy (on an empty target: the snapshot's last event).
    public let lastEventID: Int64?
    public let seconds: Double
}

extension PostgresStore {
    /// Copies the SQLite outbox `source` (one consistent snapshot of it) into this database
    /// in one transaction: every table with ids, order and content kept, message bodies
    /// as text, attachment contents and sealed secrets byte for byte (never opened). The
    /// target's tables are locked for the copy; it must hold no outbox data unless
    /// `intoNonEmpty` (then ids must not collide). Before committing, every table's row
    /// count and ``OutboxStore/TableDigest``, as PostgreSQL computes them over what it
    /// stored, are compared with what was read from SQLite; any difference, any value that cannot be carried, any table or column this binary does
    /// not know rolls everything back.
    public func copy(from source: OutboxSnapshot, intoNonEmpty: Bool) async throws -> StoreCopyReport {
        let started = ContinuousClock.now
        let plans = try await copyPlans(source)
        let logger = logger, location = location
        let copied: (tables: [StoreCopyReport.Table], sending: Int, lastEvent: Int64?) = try await transaction { connection in
            let names = plans.map(\.target).joined(separator: ", ")
            try await connection.query(PostgresQuery(unsafeSQL: "LOCK TABLE \(names), message_count_delta IN SHARE ROW EXCLUSIVE MODE"), logger: logger)
            var before: [String: TableDigest] = [:]
            if intoNonEmpty {
                for plan in plans { before[plan.target] = try await Self.digest(of: plan, connection, logger: logger) }
            } else {
                let occupied = try await Self.occupiedTables(plans, connection, logger: logger)
                guard occupied.isEmpty else {
                    throw StoreError(.invalidState, "\(location) already holds outbox data (\(occupied.joined(separator: ", "))); "
                        + "copy into an empty database, or give --into-non-empty to add to it (ids must not collide); nothing was copied")
                }
            }
            var tables: [StoreCopyReport.Table] = [], counts: [MessageCountKey: Int64] = [:], lastEvent: Int64?
            for plan in plans {
                let digest: TableDigest
                do {
                    digest = try await Self.copyRows(of: plan, from: source, connection, logger: logger, counts: &counts)
                } catch {
                    throw Self.reported(error, doing: "copying table \(plan.target) into \(location) failed; nothing was copied")
                }
                tables.append(StoreCopyReport.Table(name: plan.target, rows: digest.rows, sha256: digest.hex))
                let after = try await Self.digest(of: plan, connection, logger: logger)
                guard after == before[plan.target, default: TableDigest()] + digest else {
                    throw StoreError(.corruptData, "table \(plan.target) on \(location) does not read back as copied "
                        + "(\(after.rows) rows, expected \(before[plan.target, default: TableDigest()].rows + digest.rows), or different content); nothing was copied")
                }
                if plan.target == "event" { lastEvent = try await Self.maxID(plan.target, connection, logger: logger) }
                if plan.hasIdentity { try await Self.advanceIdentity(of: plan, past: try source.sequence(of: plan.source.name), connection, logger: logger) }
            }
            if !counts.isEmpty {
                let keys = Array(counts.keys)
                try await connection.query("""
                    INSERT INTO message_count_delta (owner, state, n)
                    SELECT * FROM unnest(\(keys.map(\.owner))::text[], \(keys.map(\.state))::text[], \(keys.map { counts[$0]! })::bigint[])
                    """, logger: logger)
                try await connection.query("SELECT pg_notify(\(Self.enqueueChannel), '0')", logger: logger)
            }
            let sending = counts.filter { $0.key.state == "sending" }.values.reduce(0, +)
            return (tables, Int(sending), lastEvent)
        }
        return StoreCopyReport(
            source: source.path, sourceSchema: source.schemaVersions.last ?? "", target: location.description, tables: copied.tables,
            notCarried: Self.notCarried, sendingAtSnapshot: copied.sending, lastEventID: copied.lastEvent,
            seconds: Self.seconds(since: started))
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = (ContinuousClock.now - start).components
        return Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
    }

    /// SQLite's tables in the order they are copied (referenced rows first).
    static let copyOrder = [
        "batch", "message", "recipient", "content", "attachment", "event", "setting", "profile", "suppression", "bounce",
        "sender_problem", "owner_pause", "send_pace", "dkim_key", "sent_header", "unknown_outcome", "api_token",
        "unsubscribe_token", "unsubscription", "webhook_endpoint", "webhook_delivery", "webhook_attempt",
    ]

    /// SQLite tables rebuilt rather than copied.
    static let rebuiltTables: Set<String> = ["message_count"]

    /// SQLite columns with no PostgreSQL column, and why nothing is lost.
    static let internalColumns: Set<String> = ["content.id"]

    /// Plain-text secret columns from before `v7-sealed-secrets`: an outbox still holding
    /// one is refused (its secrets must be sealed first), an empty one is not needed.
    static let plainSecretColumns: Set<String> = ["profile.secret", "profile.oauth_refresh_token", "profile.oauth_access_token"]

    static let notCarried = [
        "message_count: rebuilt from the copied messages",
        "content.id: SQLite's row number (contents are keyed by sha256)",
        "profile.secret, profile.oauth_refresh_token, profile.oauth_access_token: plain-text columns from before sealed secrets (empty; the sealed columns are copied)",
    ]
}

/// How one SQLite table goes into its PostgreSQL table.
struct CopyPlan: Sendable {
    let source: OutboxSnapshot.Table
    var target: String { source.name }
    /// The columns carried, with their PostgreSQL types.
    let columns: [(name: String, type: CopyType)]
    /// Plain-text secret columns read only to check that they are empty.
    let mustBeEmpty: [String]
    let hasIdentity: Bool
}

/// A PostgreSQL column type as the copy writes and reads it.
enum CopyType: Sendable {
    case integer, boolean, text, bytes

    init?(_ dataType: String) {
        switch dataType {
        case "bigint", "integer", "smallint": self = .integer
        case "boolean": self = .boolean
        case "text", "character varying": self = .text
        case "bytea": self = .bytes
        default: return nil
        }
    }

    /// SQL for the column's bytes in ``OutboxStore/TableDigest``'s encoding (booleans as the integers 0 and 1).
    func digestBytes(_ column: String) -> String {
        let value: String
        switch self {
        case .integer: value = "'\\x01'::bytea || int8send(\(column)::bigint)"
        case .boolean: value = "'\\x01'::bytea || int8send(\(column)::int::bigint)"
        case .text: value = "'\\x03'::bytea || int8send(length(convert_to(\(column), 'UTF8'))::bigint) || convert_to(\(column), 'UTF8')"
        case .bytes: value = "'\\x04'::bytea || int8send(length(\(column))::bigint) || \(column)"
        }
        return "(CASE WHEN \(column) IS NULL THEN '\\x00'::bytea ELSE \(value) END)"
    }
}

struct MessageCountKey: Hashable, Sendable {
    let owner: String
    let state: String
}

extension PostgresStore {
    /// Matches the snapshot's tables and columns with this database's; refuses what has no place here.
    func copyPlans(_ source: OutboxSnapshot) async throws -> [CopyPlan] {
        var targetColumns: [String: [String: String]] = [:], identities = Set<String>()
        try await client.withConnection { connection in
            for try await (table, column, type, identity) in try await connection.query("""
                SELECT table_name::text, column_name::text, data_type::text, is_identity::text FROM information_schema.columns WHERE table_schema = current_schema()
                """, logger: logger).decode((String, String, String, String).self) {
                targetColumns[table, default: [:]][column] = type
                if identity == "YES", column == "id" { identities.insert(table) }
            }
        }
        let tables = try source.tables()
        let unknown = tables.map(\.name).filter { !Self.copyOrder.contains($0) && !Self.rebuiltTables.contains($0) }
        guard unknown.isEmpty else {
            throw StoreError(.schemaMismatch, "\(source.path) has table(s) \(unknown.joined(separator: ", ")) this outbox binary cannot carry to PostgreSQL; nothing was copied")
        }
        return try Self.copyOrder.compactMap { name -> CopyPlan? in
            guard let table = tables.first(where: { $0.name == name }) else { return nil }
            guard let target = targetColumns[name] else {
                throw StoreError(.schemaMismatch, "\(location) has no table \(name); nothing was copied")
            }
            var columns: [(String, CopyType)] = [], mustBeEmpty: [String] = [], missing: [String] = []
            for column in table.columns {
                let qualified = name + "." + column
                if let type = target[column] {
                    guard let copyType = CopyType(type) else {
                        throw StoreError(.schemaMismatch, "\(location): \(qualified) has type \(type), which the copy does not know; nothing was copied")
                    }
                    columns.append((column, copyType))
                } else if Self.plainSecretColumns.contains(qualified) {
                    mustBeEmpty.append(column)
                } else if !Self.internalColumns.contains(qualified) {
                    missing.append(qualified)
                }
            }
            guard missing.isEmpty else {
                throw StoreError(.schemaMismatch, "\(location) has no column for \(missing.joined(separator: ", ")); nothing was copied")
            }
            return CopyPlan(source: table, columns: columns, mustBeEmpty: mustBeEmpty, hasIdentity: identities.contains(name))
        }
    }

    /// The tables of `plans` that hold rows, with their counts.
    static func occupiedTables(_ plans: [CopyPlan], _ connection: PostgresConnection, logger: Logger) async throws -> [String] {
        var occupied: [String] = []
        for plan in plans {
            for try await count in try await connection.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(plan.target)"), logger: logger).decode(Int.self)
            where count > 0 {
                occupied.append("\(plan.target): \(count) row(s)")
            }
        }
        return occupied
    }

    /// Streams the table's rows from the snapshot into `COPY … FROM STDIN`, in chunks; returns their digest.
    static func copyRows(of plan: CopyPlan, from source: OutboxSnapshot, _ connection: PostgresConnection, logger: Logger,
                         counts: inout [MessageCountKey: Int64]) async throws -> TableDigest {
        let names = plan.columns.map(\.name), types = plan.columns.map(\.type)
        let keyIndexes = plan.source.key.map { key in names.firstIndex(of: key) }
        let read = names + plan.mustBeEmpty + plan.source.key.filter { !names.contains($0) }
        let ownerIndex = plan.target == "message" ? names.firstIndex(of: "owner") : nil, stateIndex = names.firstIndex(of: "state")
        var digest = TableDigest(), after: [OutboxSnapshot.Value]?, tally: [MessageCountKey: Int64] = [:]
        try await connection.copyFrom(table: plan.target, columns: names, logger: logger) { writer in
            while true {
                let rows = try source.rows(of: plan.source, columns: read, after: after, limit: chunkRows)
                guard let last = rows.last else { break }
                var buffer: [UInt8] = []
                buffer.reserveCapacity(rows.count * 256)
                for row in rows {
                    for (offset, column) in plan.mustBeEmpty.enumerated() where row[names.count + offset] != .null {
                        throw StoreError(.invalidState, "\(plan.target).\(column) of row \(describe(key: row, plan: plan, read: read)) holds a plain-text secret; "
                            + "run `outbox secrets status` with the secrets key available to seal it first; nothing was copied")
                    }
                    var carried: [OutboxSnapshot.Value] = []
                    carried.reserveCapacity(names.count)
                    for index in names.indices {
                        let value = try coerce(row[index], to: types[index], column: names[index], plan: plan, row: row, read: read)
                        carried.append(value)
                        if index > 0 { buffer.append(UInt8(ascii: "\t")) }
                        CopyText.write(value, into: &buffer)
                    }
                    buffer.append(UInt8(ascii: "\n"))
                    digest.add(carried)
                    if let ownerIndex, let stateIndex, case .text(let owner) = carried[ownerIndex], case .text(let state) = carried[stateIndex] {
                        tally[MessageCountKey(owner: owner, state: state), default: 0] += 1
                    }
                }
                try await writer.write(ByteBuffer(bytes: buffer))
                after = plan.source.key.enumerated().map { position, key in
                    keyIndexes[position].map { last[$0] } ?? last[read.firstIndex(of: key)!]
                }
            }
        }
        counts.merge(tally, uniquingKeysWith: +)
        return digest
    }

    /// Rows read from the snapshot per chunk (one `COPY` data message each).
    static let chunkRows = 2000

    /// The digest of every row the table holds now, computed by the server over its carried
    /// columns in ``OutboxStore/TableDigest``'s encoding (nothing is read back over the wire).
    static func digest(of plan: CopyPlan, _ connection: PostgresConnection, logger: Logger) async throws -> TableDigest {
        let row = plan.columns.map { $0.type.digestBytes("\"\($0.name)\"") }.joined(separator: " || ")
        let lanes = (0..<4).map { "('x' || encode(substring(h from \($0 * 8 + 1) for 8), 'hex'))::bit(64)::bigint AS l\($0)" }.joined(separator: ", ")
        let sums = (0..<4).map { "(COALESCE(sum(l\($0)::numeric + CASE WHEN l\($0) < 0 THEN 18446744073709551616 ELSE 0 END), 0) % 18446744073709551616)::text" }
        var digest = TableDigest()
        for try await (count, a, b, c, d) in try await connection.query(PostgresQuery(unsafeSQL: """
            SELECT count(*)::bigint, \(sums.joined(separator: ", ")) FROM (
                SELECT \(lanes) FROM (SELECT sha256(\(row)) AS h FROM \(plan.target)) AS hashed) AS split
            """), logger: logger).decode((Int, String, String, String, String).self) {
            let words = [a, b, c, d].compactMap { UInt64($0) }
            guard words.count == 4 else { throw StoreError(.corruptData, "table \(plan.target): the server's content hash cannot be read") }
            digest = TableDigest(rows: count, lanes: words)
        }
        return digest
    }

    static func maxID(_ table: String, _ connection: PostgresConnection, logger: Logger) async throws -> Int64? {
        var found: Int64?
        for try await id in try await connection.query(PostgresQuery(unsafeSQL: "SELECT max(id) FROM \(table)"), logger: logger).decode(Int64?.self) {
            found = id
        }
        return found
    }

    /// Moves the table's id sequence past every copied id and past SQLite's own high-water
    /// mark (ids of purged rows are not given again), never back.
    static func advanceIdentity(of plan: CopyPlan, past sqliteSequence: Int64?, _ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(PostgresQuery(unsafeSQL: """
            SELECT setval(s.name, GREATEST(s.high, 1), s.high >= 1) FROM (
                SELECT pg_get_serial_sequence('\(plan.target)', 'id') AS name,
                       GREATEST((SELECT max(id) FROM \(plan.target)), \(sqliteSequence ?? 0),
                                pg_sequence_last_value(pg_get_serial_sequence('\(plan.target)', 'id')::regclass)) AS high) AS s
            """), logger: logger)
    }

    /// `value` as the target column's type; what cannot be carried exactly is refused.
    static func coerce(_ value: OutboxSnapshot.Value, to type: CopyType, column: String, plan: CopyPlan, row: [OutboxSnapshot.Value],
                       read: [String]) throws(StoreError) -> OutboxSnapshot.Value {
        switch (value, type) {
        case (.null, _), (.integer, .integer), (.integer, .boolean), (.text, .text), (.blob, .bytes):
            return value
        case (.text(let text), .integer), (.text(let text), .boolean):
            if let number = Int64(text) { return .integer(number) }
        case (.integer(let number), .text):
            return .text(String(number))
        case (.blob(let bytes), .text):
            if let text = String(validating: bytes, as: UTF8.self) { return .text(text) }
        case (.text(let text), .bytes):
            return .blob(Array(text.utf8))
        default:
            break
        }
        throw StoreError(.invalidState, "\(plan.target).\(column) of row \(describe(key: row, plan: plan, read: read)) holds \(value.kind), "
            + "which PostgreSQL's \(type) column cannot hold exactly; nothing was copied")
    }

    static func describe(key row: [OutboxSnapshot.Value], plan: CopyPlan, read: [String]) -> String {
        plan.source.key.map { key in
            let value = read.firstIndex(of: key).map { row[$0] } ?? .null
            return "\(key) \(value.shown)"
        }.joined(separator: ", ")
    }
}

extension OutboxSnapshot.Value {
    var kind: String {
        switch self {
        case .null: return "NULL"
        case .integer: return "an integer"
        case .real: return "a real number"
        case .text: return "text"
        case .blob: return "bytes"
        }
    }

    var shown: String {
        switch self {
        case .null: return "NULL"
        case .integer(let number): return String(number)
        case .real(let number): return String(number)
        case .text(let text): return text
        case .blob(let bytes): return "\(bytes.count) bytes"
        }
    }
}

/// `COPY … FROM STDIN` text format: tab-separated columns, `\N` for NULL, backslash escapes.
enum CopyText {
    static func write(_ value: OutboxSnapshot.Value, into bytes: inout [UInt8]) {
        switch value {
        case .null:
            bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "N")])
        case .integer(let number):
            bytes.append(contentsOf: String(number).utf8)
        case .real(let number):
            bytes.append(contentsOf: String(number).utf8)
        case .text(let text):
            escape(text.utf8, into: &bytes)
        case .blob(let blob):
            // bytea's hex input `\x…`, its backslash doubled for the COPY text format.
            bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\"), UInt8(ascii: "x")])
            for byte in blob {
                bytes.append(hexDigits[Int(byte >> 4)])
                bytes.append(hexDigits[Int(byte & 0x0F)])
            }
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func escape(_ text: String.UTF8View, into bytes: inout [UInt8]) {
        guard text.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) else {
            bytes.append(contentsOf: text)
            return
        }
        for byte in text {
            switch byte {
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\t"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case UInt8(ascii: "\n"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            default: bytes.append(byte)
            }
        }
    }
}
