public import OutboxCore

/// `[dmarc]`: what to do with a `system`-mode message whose From domain enforces DMARC
/// (`p=quarantine` or `p=reject`) while the system relay is not authorised for it — no DKIM
/// key of that domain that Outbox signs with, and no SPF record of the (aligned) envelope
/// domain that covers `relay-spf`.
public struct DMARCSettings: Sendable, Equatable {
    /// `mismatch`: the action for such a message.
    public enum Mismatch: String, Sendable, CaseIterable {
        /// Send it in reply-to mode: From the company on the event domain, Reply-To the owner
        /// (the default: the message still arrives and replies still reach the owner).
        case replyTo = "reply-to"
        /// Hold the owner's profile with the reason and what to publish.
        case hold
        /// Send it unchanged (the receiver will likely reject or quarantine it).
        case send
    }

    public var mismatch: Mismatch = .replyTo
    /// `relay-spf`: the relay's `include:` domains and `ip4:`/`ip6:` networks.
    public var relaySPF = RelaySPFIdentity()

    public init() {}

    static func mismatch(_ text: String, _ parse: ConfigurationValueParser) throws(ConfigurationError) -> Mismatch {
        guard let value = Mismatch(rawValue: text.lowercased()) else {
            throw ConfigurationError(.invalidValue, file: parse.file, line: parse.line,
                                     reason: "\(parse.name): '\(text)' is not reply-to, hold or send")
        }
        return value
    }

    static func relaySPF(_ text: String, _ parse: ConfigurationValueParser) throws(ConfigurationError) -> RelaySPFIdentity {
        do { return try RelaySPFIdentity(parsing: text) } catch {
            throw ConfigurationError(.invalidValue, file: parse.file, line: parse.line, reason: "\(parse.name): \(error)")
        }
    }
}
