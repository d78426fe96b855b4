public import OutboxCore
import GRDB

/// An owner's profile layers as stored: its own profile and the company profile.
public struct ProfileLayers: Sendable {
    public let own: ProfileFields?
    public let global: ProfileFields?

    public init(own: ProfileFields?, global: ProfileFields?) {
        self.own = own
        self.global = global
    }
}

/// One claim: the leased messages and, read in the same transaction, the profile layers
/// of their owners.
public struct ClaimedBatch: Sendable {
    public let messages: [ClaimedMessage]
    public let profiles: [String: ProfileLayers]
    /// When the profiles were read (Unix milliseconds).
    public let claimedAt: Int64

    public init(messages: [ClaimedMessage], profiles: [String: ProfileLayers], claimedAt: Int64) {
        self.messages = messages
        self.profiles = profiles
        self.claimedAt = claimedAt
    }
}

extension OutboxDatabase {
    /// The profile layers of `owner` inside an open transaction (as ``profileLayers(owner:)``).
    static func profileLayers(_ db: Database, owner: String, secrets: SecretVault) throws -> ProfileLayers {
        let own = try profileFields(db, owner: owner, secrets: secrets)
        guard let globalOwner = try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM setting WHERE name = ?"),
                                                    arguments: [globalProfileSetting]),
            globalOwner != owner
        else { return ProfileLayers(own: own, global: nil) }
        return ProfileLayers(own: own, global: try profileFields(db, owner: globalOwner, secrets: secrets))
    }
}
