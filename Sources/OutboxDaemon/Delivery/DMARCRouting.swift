import OutboxCore
public import OutboxTransport

/// DMARC-aware routing: before a `system`-mode message goes out through the system relay as
/// the owner's From, its From domain's DMARC policy is looked up; when the domain enforces
/// DMARC (`p=quarantine`/`p=reject`, directly or by its organisational domain's `sp=`/`p=`)
/// and the relay is not authorised for it (``DMARCAssessment``: no aligned DKIM signature
/// from Outbox, no SPF pass for an aligned envelope sender), ``DMARCSettings/mismatch``
/// decides: send it in reply-to mode, hold the profile, or send it anyway.
///
/// Only `system` mode is checked: `reply-to` mode is the cure itself, and an owner's own
/// server (smtp, m365-oauth) or HTTP service is authorised by its provider. A failed lookup
/// sends the message unchanged (as before this check existed) and is logged: a DNS outage
/// must not stop the mail.
public struct DMARCRouting: Sendable {
    public var settings: DMARCSettings
    /// The shared, caching TXT resolver.
    public let resolver: TXTResolver

    public init(settings: DMARCSettings, resolver: TXTResolver) {
        self.settings = settings
        self.resolver = resolver
    }

    enum Decision: Equatable {
        case send
        /// A lookup failed: sent unchanged; the reason is logged.
        case sendUnchecked(String)
        /// Sent with the profile in reply-to mode; the reason is logged.
        case replyToMode(String)
        /// Hold the profile with this reason (what to publish or set).
        case hold(String)
    }

    /// What to do with a message of `profile` under `configuration` (its reply-to, VERP and
    /// DKIM settings). When system mode signs (`[dkim] sign-modes`, the default) the message
    /// carries a DKIM signature `d=` its From domain — aligned, so authorised — or, with no
    /// key for that domain, the DKIM hold stops it before it could go out: either way no
    /// lookup is needed, and none is made.
    func decide(_ profile: ResolvedProfile, configuration: DeliveryConfiguration) -> Decision {
        if configuration.dkim.signModes.contains(.system) { return .send }
        return decide(profile, envelopeDomain: configuration.senderPolicy.bounceDomain, replyToConfigured: configuration.senderPolicy.replyToFrom != nil)
    }

    /// What to do with an unsigned message of `profile`; `envelopeDomain` is the domain of
    /// the envelope sender system mode uses (the VERP domain; nil: the From domain).
    func decide(_ profile: ResolvedProfile, envelopeDomain: String?, replyToConfigured: Bool) -> Decision {
        guard profile.mode == .system, settings.mismatch != .send, let from = profile.fromAddress,
            let at = from.lastIndex(of: "@")
        else { return .send }
        let domain = String(from[from.index(after: at)...]).lowercased()
        let verdict = DMARCAssessment.assess(
            fromDomain: domain, envelopeDomain: envelopeDomain ?? domain, signsAligned: false, relay: settings.relaySPF,
            lookup: { name in try resolver.txt(name) })
        switch verdict {
        case .authorised, .notEnforced: return .send
        case .unknown(let why): return .sendUnchecked(why)
        case .fails(_, let reason):
            let cures = "publish include:… of [dmarc] relay-spf in the SPF record of \(domain), or sign: outbox dkim keygen --domain \(domain) "
                + "--selector SELECTOR and publish the record it prints"
            if settings.mismatch == .replyTo, replyToConfigured { return .replyToMode(reason) }
            if settings.mismatch == .replyTo {
                return .hold("dmarc: \(reason); reply-to mode is not configured to send it instead: add [reply-to] company-address and "
                    + "event-domain to outbox.conf, or \(cures)")
            }
            return .hold("dmarc: \(reason): \(cures), or set [dmarc] mismatch = reply-to")
        }
    }
}
