import Foundation
import GRDB
import GRDBSQLite

/// A value for one parameter of ``GRDB/Statement/run(_:)``.
enum BoundValue {
    case text(String?)
    case integer(Int64?)
    /// A column value as stored (text, blob or null).
    case stored(DatabaseValue)
}

extension Statement {
    /// Binds `values` to the statement's parameters in order and runs it to its end, as
    /// `execute(arguments:)` does, through SQLite's own calls: GRDB's `StatementArguments`
    /// (a boxed value per parameter, converted through protocols) cost the enqueue writer
    /// ~28k instructions per message (callgrind). Errors are GRDB's `DatabaseError`.
    func run(_ values: BoundValue...) throws {
        let statement = sqliteStatement
        sqlite3_reset(statement)
        for (offset, value) in values.enumerated() {
            let index = CInt(offset + 1)
            let code: CInt
            switch value {
            case .text(let text?): code = Self.bind(text, at: index, in: statement)
            case .integer(let number?): code = sqlite3_bind_int64(statement, index, number)
            case .text(nil), .integer(nil): code = sqlite3_bind_null(statement, index)
            case .stored(let stored):
                switch stored.storage {
                case .null: code = sqlite3_bind_null(statement, index)
                case .int64(let number): code = sqlite3_bind_int64(statement, index, number)
                case .double(let number): code = sqlite3_bind_double(statement, index, number)
                case .string(let text): code = Self.bind(text, at: index, in: statement)
                case .blob(let data):
                    code = data.withUnsafeBytes { bytes in
                        sqlite3_bind_blob(statement, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1), CInt(bytes.count), Self.transient)
                    }
                }
            }
            guard code == SQLITE_OK else { throw failure(code) }
        }
        var code: CInt
        repeat { code = sqlite3_step(statement) } while code == SQLITE_ROW
        guard code == SQLITE_DONE else {
            let error = failure(code)
            sqlite3_reset(statement)
            throw error
        }
        sqlite3_reset(statement)
    }

    /// SQLite copies the bytes before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private static func bind(_ text: String, at index: CInt, in statement: SQLiteStatement) -> CInt {
        var text = text
        return text.withUTF8 { bytes in
            sqlite3_bind_text(statement, index, UnsafeRawPointer(bytes.baseAddress ?? UnsafePointer(bitPattern: 1)!).assumingMemoryBound(to: CChar.self),
                              CInt(bytes.count), transient)
        }
    }

    private func failure(_ code: CInt) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(sqliteStatement))), sql: sql)
    }
}
