import OutboxStore
import Foundation
import Logging
import OutboxCore
import OutboxTransport

/// The effective configuration as `outbox.conf` text (for `--print-config` and start-up logs).
/// Shows credential *names* only; the configuration never holds a secret.
extension OutboxConfiguration: CustomStringConvertible {
    public var description: String {
        var lines = ["# effective configuration" + (sourceFile.map { " (from \($0) and the environment)" } ?? " (defaults and the environment)")]
        func section(_ name: String, _ pairs: [(String, String?)]) {
            lines.append("[\(name)]")
            for case let (key, value?) in pairs { lines.append("\(key) = \(Self.quoted(value))") }
        }
        section("database", [("path", databasePath)])
        section("delivery", [
            ("workers", String(delivery.workers)),
            ("lease-seconds", String(delivery.lease.components.seconds)),
            ("poll-interval-ms", String(Self.milliseconds(delivery.pollInterval))),
            ("connections-per-profile", String(delivery.connectionsPerProfile)),
            ("unknown-outcome", delivery.unknownOutcome.fallback.rawValue),
            ("unknown-check-sent", delivery.unknownOutcome.checkSent ? "yes" : "no"),
            ("unknown-check-after", Self.durationText(delivery.unknownOutcome.checkAfter)),
            ("unknown-resend-after", Self.durationText(delivery.unknownOutcome.resendAfter)),
        ])
        section("retry", [
            ("first-delay", Self.durationText(retry.firstDelay)), ("max-delay", Self.durationText(retry.maxDelay)),
            ("give-up-after", Self.durationText(retry.giveUpAfter)), ("jitter", String(retry.jitter)),
        ])
        if let relay {
            section("relay", [
                ("host", relay.host), ("port", String(relay.port)), ("tls", relay.tls.word), ("username", relay.username),
                ("password-credential", relay.passwordCredential), ("verify-tls", relay.verifyTLS ? "yes" : "no"),
                ("ca-file", relay.caFile), ("bind-address", relay.bindAddress), ("helo-name", relay.heloName),
            ])
        }
        if let replyTo {
            section("reply-to", [("company-address", replyTo.companyAddress), ("event-domain", replyTo.eventDomain)])
        }
        section("bounces", [
            ("domain", bounces.domain), ("mailbox-url", bounces.mailboxURL), ("mailbox-user", bounces.mailboxUser),
            ("mailbox-password-credential", bounces.mailboxPasswordCredential),
            ("poll-interval", Self.durationText(bounces.pollInterval)),
        ] + zip(BounceSettings.policyKeys, bounces.policyValues).map { ($0, Optional($1)) } + [("unsubscribe-url", bounces.unsubscribeURL)])
        section("log", [("level", logLevel.rawValue)])
        if !enqueue.attachmentRoots.isEmpty { section("enqueue", [("attachment-roots", enqueue.attachmentRoots.joined(separator: ","))]) }
        section("dkim", [("sign-modes", dkim.signModes.isEmpty ? "none" : SenderMode.allCases.filter(dkim.signModes.contains).map(\.rawValue).joined(separator: " "))])
        if let host = http.host {
            section("http", [("listen", host.contains(":") ? "[\(host)]:\(http.port)" : "\(host):\(http.port)"),
                             ("max-body-bytes", String(http.maxBodyBytes)), ("allow-public", http.allowPublic ? "yes" : "no"),
                             ("status-page-without-token", http.statusPageWithoutToken ? "yes" : "no"),
                             ("tls-certificate", http.tlsCertificate), ("tls-key", http.tlsKey)])
        }
        if let resolver = dns.resolver { section("dns", [("resolver", resolver.description)]) }
        section("dmarc", [("mismatch", dmarc.mismatch.rawValue), ("relay-spf", dmarc.relaySPF.isEmpty ? nil : dmarc.relaySPF.text)])
        section("webhooks", [
            ("timeout", Self.durationText(webhooks.timeout)), ("concurrency", String(webhooks.concurrency)),
            ("poll-interval", Self.durationText(webhooks.pollInterval)), ("first-retry", Self.durationText(webhooks.retry.firstDelay)),
            ("max-retry", Self.durationText(webhooks.retry.maxDelay)), ("give-up-after", Self.durationText(webhooks.retry.giveUpAfter)),
        ])
        return lines.joined(separator: "\n")
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }

    /// The largest unit that expresses `duration` exactly, in the syntax `DurationText` reads.
    static func durationText(_ duration: Duration) -> String {
        let seconds = duration.components.seconds
        guard duration.components.attoseconds == 0, seconds > 0 else { return "\(max(seconds, 1))" }
        for (unit, size) in [("w", Int64(604_800)), ("d", 86_400), ("h", 3600), ("m", 60)] where seconds % size == 0 {
            return "\(seconds / size)\(unit)"
        }
        return "\(seconds)s"
    }

    private static func quoted(_ value: String) -> String {
        guard value.isEmpty || value.contains(where: { $0 == "#" || $0 == "\"" || $0 == "'" || $0 == " " }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
