import ArgumentParser
import Foundation
import OutboxCore
import OutboxDaemon

/// The system relay layer for the profile commands: the same `[relay]` of outbox.conf
/// (with `OUTBOX_RELAY` over it) that `outbox serve` uses.
enum SystemRelay {
    /// - Parameter withSecret: read the relay password from its systemd credential (to connect).
    static func fields(config: String?, withSecret: Bool) throws -> ProfileFields {
        let environment = ProcessInfo.processInfo.environment
        let configuration: OutboxConfiguration
        do { configuration = try OutboxConfiguration.load(path: config, environment: environment) } catch {
            throw ValidationError("\(error)")
        }
        guard let relay = configuration.relay else { return ProfileFields() }
        do { return try relay.profileFields(readingCredentialFrom: withSecret ? environment : nil) } catch {
            throw ValidationError("relay password: \(error)")
        }
    }
}
