import ArgumentParser
import Foundation
import OutboxCore
import OutboxDaemon

/// What the profile commands need of the daemon's configuration: the same `[relay]` of
/// outbox.conf (with `OUTBOX_RELAY` over it), EHLO name and `[reply-to]`/`[bounces]` sender
/// rules that `outbox serve` uses, so a resolved or tested profile is the one delivery sends with.
enum SystemRelay {
    /// The system relay layer. A missing or unreadable default configuration means no relay.
    /// - Parameter withSecret: read the relay password from its systemd credential (to connect).
    static func fields(config: String?, withSecret: Bool) throws -> ProfileFields {
        try routing(config: config, withSecret: withSecret).systemRelay
    }

    /// The routing part of the delivery configuration, with `timeout` for every step.
    static func routing(config: String?, withSecret: Bool, timeout: Duration = .seconds(30)) throws -> DeliveryConfiguration {
        let environment = ProcessInfo.processInfo.environment
        let file: OutboxConfiguration
        do { file = try OutboxConfiguration.load(path: config, environment: environment) } catch {
            throw ValidationError("\(error)")
        }
        var settings = DeliveryConfiguration()
        settings.ehloName = file.relay?.heloName ?? ProcessInfo.processInfo.hostName
        settings.connectTimeout = timeout
        settings.replyTimeout = timeout
        settings.totalTimeout = timeout * 3
        do { settings.senderPolicy = try SenderPolicy(configuration: file) } catch { throw ValidationError(error.reason) }
        settings.dkim = file.dkim
        if let relay = file.relay {
            do { settings.systemRelay = try relay.profileFields(readingCredentialFrom: withSecret ? environment : nil) } catch {
                throw ValidationError("relay password: \(error)")
            }
        }
        return settings
    }
}
