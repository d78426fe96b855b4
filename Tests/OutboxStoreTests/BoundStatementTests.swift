import Foundation
import GRDB
import Testing
@testable import OutboxStore

/// ``GRDB/Statement/run(_:)`` (the enqueue writer's binds through SQLite's own calls) stores
/// each kind of value as `execute(arguments:)` does, reports a failed statement as GRDB's
/// `DatabaseError`, and leaves the statement reusable after it.
@Suite struct BoundStatementTests {
    @Test func valuesAreStoredAsGRDBStoresThem() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, a, b, c, d)")
            let insert = try db.cachedStatement(sql: "INSERT INTO t (a, b, c, d) VALUES (?, ?, ?, ?)")
            let rows: [[DatabaseValue]] = [
                ["Jüri Õun 😀".databaseValue, "".databaseValue, Data().databaseValue, Data([0, 1, 255]).databaseValue],
                [Int64.max.databaseValue, Int64.min.databaseValue, DatabaseValue.null, 1.5.databaseValue],
            ]
            for row in rows {
                try insert.run(.stored(row[0]), .stored(row[1]), .stored(row[2]), .stored(row[3]))
                try db.execute(sql: "INSERT INTO t (a, b, c, d) VALUES (?, ?, ?, ?)", arguments: StatementArguments(row))
            }
            try insert.run(.text("tekst"), .text(nil), .integer(42), .integer(nil))
            try db.execute(sql: "INSERT INTO t (a, b, c, d) VALUES (?, ?, ?, ?)", arguments: ["tekst", nil, 42, nil])
            let stored = try Row.fetchAll(db, sql: "SELECT typeof(a), a, typeof(b), b, typeof(c), c, typeof(d), d FROM t ORDER BY id")
            for pair in stride(from: 0, to: stored.count, by: 2) { #expect(stored[pair] == stored[pair + 1]) }
        }
    }

    @Test func aFailedRunIsADatabaseErrorAndTheStatementRunsAgain() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (key TEXT NOT NULL UNIQUE)")
            let insert = try db.cachedStatement(sql: "INSERT INTO t (key) VALUES (?)")
            try insert.run(.text("inv-1"))
            #expect { try insert.run(.text("inv-1")) } throws: { error in
                let database = error as? DatabaseError
                return database?.resultCode == .SQLITE_CONSTRAINT && database?.message?.contains("UNIQUE") == true
                    && database?.sql == "INSERT INTO t (key) VALUES (?)"
            }
            #expect { try insert.run(.text(nil)) } throws: { ($0 as? DatabaseError)?.resultCode == .SQLITE_CONSTRAINT }
            try insert.run(.text("inv-2"))
            #expect(try String.fetchAll(db, sql: "SELECT key FROM t ORDER BY key") == ["inv-1", "inv-2"])
        }
    }
}
