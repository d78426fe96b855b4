import Foundation
import OutboxCore

/// The system relay layer for profile resolution in the CLI: from `$OUTBOX_RELAY`
/// (`smtp://host:port` or `smtps://host:port`) until the daemon configuration is wired in.
enum SystemRelay {
    static func fields(environment: [String: String] = ProcessInfo.processInfo.environment) -> ProfileFields {
        var fields = ProfileFields()
        guard let text = environment["OUTBOX_RELAY"], let url = URL(string: text), let host = url.host else { return fields }
        fields.host = host
        fields.port = url.port ?? (url.scheme == "smtps" ? 465 : 25)
        fields.tls = url.scheme == "smtps" ? .tls : (url.port == 25 || url.port == nil ? TLSMode.none : .starttls)
        return fields
    }
}
