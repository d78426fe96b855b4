import ArgumentParser
import Foundation
import OutboxDaemon

/// `--config` for the bounce commands: the `[bounces]` section of the same outbox.conf
/// `outbox serve` reads (suppression policy, mailbox mode and folder).
struct BounceConfiguration: ParsableArguments {
    @Option(help: ArgumentHelp("Configuration file with the [bounces] policy (default: /etc/outbox/outbox.conf when it exists).",
                               valueName: "path"))
    var config: String?

    func settings() throws -> BounceSettings {
        do { return try OutboxConfiguration.load(path: config, environment: ProcessInfo.processInfo.environment).bounces } catch {
            throw ValidationError("\(error)")
        }
    }
}
