import GRDB

/// Schema step for the delivery engine (claims, holds, rate counters). Add statements
/// here while v3 is unreleased; after release, add a new step instead.
enum DeliveryMigration {
    static func migrate(_ db: Database) throws {
    }
}
