import GRDB

/// Schema step for bounce ingestion (raw bounces, matching indexes). Add statements here
/// while v4 is unreleased; after release, add a new step instead.
enum BounceMigration {
    static func migrate(_ db: Database) throws {
    }
}
