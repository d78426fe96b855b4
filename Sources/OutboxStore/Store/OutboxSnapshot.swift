import Foundation
import GRDB

/// One consistent, read-only view of an SQLite outbox, table by table, for copying it to
/// another store (`outbox store copy`). Every read sees the database as it was when the
/// snapshot was opened, while `serve` goes on writing: the snapshot holds one read
/// transaction on the write-ahead log until ``close()``.
public final class OutboxSnapshot: @unchecked Sendable {
    /// A stored value as SQLite holds it.
    public enum Value: Sendable, Hashable {
        case null
        case integer(Int64)
        case real(Double)
        case text(String)
        case blob([UInt8])
    }

    /// A table: its columns in declaration order and the columns of its primary key
    /// (`rowid` for a table without one), which order the rows.
    public struct Table: Sendable, Hashable {
        public let name: String
        public let columns: [String]
        public let key: [String]
    }

    /// The database file.
    public let path: String
    /// The schema steps applied to the file (it matches this binary: older or newer is refused on open).
    public let schemaVersions: [String]
    private let database: OutboxDatabase
    private var snapshot: DatabaseSnapshot?

    /// Opens `path` read-only (nothing is created or migrated) and fixes the snapshot.
    public init(path: String) throws(StoreError) {
        self.path = path
        database = try OutboxDatabase(path: path, access: .readOnly)
        do {
            let snapshot = try database.pool.makeSnapshot()
            self.snapshot = snapshot
            schemaVersions = try snapshot.read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid") }
        } catch {
            throw StoreError(.cannotOpenDatabase, "cannot take a consistent snapshot of \(path): \(error)")
        }
    }

    /// The tables holding the outbox's data, in name order (SQLite's own and the migration log left out).
    public func tables() throws(StoreError) -> [Table] {
        try reading { db in
            let names = try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'grdb_migrations' ORDER BY name
                """)
            return try names.map { name in
                let info = try Row.fetchAll(db, sql: "SELECT name, pk FROM pragma_table_info(?) ORDER BY cid", arguments: [name])
                let columns = info.map { $0["name"] as String }
                let key = info.filter { ($0["pk"] as Int) > 0 }.sorted { ($0["pk"] as Int) < ($1["pk"] as Int) }.map { $0["name"] as String }
                return Table(name: name, columns: columns, key: key.isEmpty ? ["rowid"] : key)
            }
        }
    }

    /// Message bodies, stored compressed when that saves space, are read as their text.
    static let bodyColumns: Set<String> = ["message.text_body", "message.html_body"]

    /// Up to `limit` rows of `table` in key order, after the row whose key is `after`
    /// (from the start when nil); each row holds `columns` in order, message bodies as text.
    public func rows(of table: Table, columns: [String], after: [Value]?, limit: Int) throws(StoreError) -> [[Value]] {
        let keyList = table.key.map(Self.quoted).joined(separator: ", ")
        var sql = "SELECT \(columns.map(Self.quoted).joined(separator: ", ")) FROM \(Self.quoted(table.name))"
        var arguments = StatementArguments()
        if let after {
            sql += " WHERE (\(keyList)) > (\(after.map { _ in "?" }.joined(separator: ", ")))"
            arguments = StatementArguments(after.map(\.databaseValue))
        }
        sql += " ORDER BY \(keyList) LIMIT \(limit)"
        let bodies = Set(columns.indices.filter { Self.bodyColumns.contains(table.name + "." + columns[$0]) })
        return try reading { db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                try (0..<row.count).map { index throws(StoreError) in
                    let value: DatabaseValue = row[index]
                    guard bodies.contains(index) else { return Value(value) }
                    return try StoredBytes.text(value, what: "\(columns[index]) of \(table.name) row \(row[0] as DatabaseValue)").map(Value.text) ?? .null
                }
            }
        }
    }

    /// The value `sqlite_sequence` holds for `table` (the highest id an AUTOINCREMENT table
    /// ever gave, deleted rows included), or nil.
    public func sequence(of table: String) throws(StoreError) -> Int64? {
        try reading { db in
            guard try db.tableExists("sqlite_sequence") else { return nil }
            return try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = ?", arguments: [table])
        }
    }

    /// Ends the read transaction; `serve` may then checkpoint past it.
    public func close() {
        snapshot = nil
    }

    private func reading<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        guard let snapshot else { throw StoreError(.invalidState, "the snapshot of \(path) is closed") }
        do {
            return try snapshot.read(body)
        } catch let error as DatabaseError {
            throw StoreError.from(error, doing: "cannot read \(path)", path: path)
        } catch {
            throw StoreError(.ioError, "cannot read \(path): \(error)")
        }
    }

    static func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}

extension OutboxSnapshot.Value {
    init(_ value: DatabaseValue) {
        switch value.storage {
        case .null: self = .null
        case .int64(let number): self = .integer(number)
        case .double(let number): self = .real(number)
        case .string(let text): self = .text(text)
        case .blob(let data): self = .blob(Array(data))
        }
    }

    var databaseValue: DatabaseValue {
        switch self {
        case .null: return .null
        case .integer(let number): return number.databaseValue
        case .real(let number): return number.databaseValue
        case .text(let text): return text.databaseValue
        case .blob(let bytes): return Data(bytes).databaseValue
        }
    }
}
