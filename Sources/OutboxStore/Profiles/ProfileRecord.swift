import OutboxCore

/// A stored profile row: the owner, its fields, and where its secret lives.
public struct ProfileRecord: Sendable, Hashable {
    public let owner: String
    public let fields: ProfileFields
    /// Name of a systemd credential holding the secret (instead of the database).
    public let secretCredential: String?
    /// Set while the profile is held after an authentication failure (Unix ms).
    public let heldUntil: Int64?
    public let heldReason: String?
    public let updatedAt: Int64

    /// A profile row as another store (PostgreSQL) reads it.
    public init(owner: String, fields: ProfileFields, secretCredential: String?, heldUntil: Int64?, heldReason: String?, updatedAt: Int64) {
        self.owner = owner
        self.fields = fields
        self.secretCredential = secretCredential
        self.heldUntil = heldUntil
        self.heldReason = heldReason
        self.updatedAt = updatedAt
    }
}
