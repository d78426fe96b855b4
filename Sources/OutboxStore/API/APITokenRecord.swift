import Foundation
import GRDB

/// An API token as stored: never the token itself, only what it is and may do.
public struct APITokenRecord: Sendable, Hashable, Codable {
    public let id: Int64
    /// The application's name, unique (`erp`, `invoicing`).
    public let name: String
    /// The owners this token may see and submit for; nil: every owner.
    public let owners: [String]?
    public let createdAt: Int64
    /// When it was revoked; a revoked token is refused.
    public let revokedAt: Int64?

    init(id: Int64, name: String, owners: [String]?, createdAt: Int64, revokedAt: Int64?) {
        self.id = id
        self.name = name
        self.owners = owners
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    init(row: Row) {
        self = .stored(id: row["id"], name: row["name"], owners: row["owners"], createdAt: row["created_at"], revokedAt: row["revoked_at"])
    }

    /// Whether this token may see or submit mail of `owner`.
    public func allows(owner: String) -> Bool { owners?.contains(owner) ?? true }
}
