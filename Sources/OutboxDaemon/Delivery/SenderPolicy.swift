public import OutboxCore

/// Company-wide sender rules from the configuration: the identity of `reply-to` mode and
/// the VERP bounce addresses.
public struct SenderPolicy: Sendable, Hashable {
    /// `reply-to` mode's From address: the company on the event domain (`[reply-to]`).
    public var replyToFrom: Mailbox?
    /// Domain of VERP envelope senders, `bounces+TOKEN@domain` (`[bounces] domain`; for
    /// `reply-to` mode the event domain when unset). Used for the modes that send through
    /// the system relay: own servers (Gmail, Microsoft 365) keep the owner's envelope.
    public var bounceDomain: String?
    /// `[bounces] unsubscribe-url`: the one-click base URL of letters' List-Unsubscribe.
    public var unsubscribeURL: String?

    public init(replyToFrom: Mailbox? = nil, bounceDomain: String? = nil, unsubscribeURL: String? = nil) {
        self.replyToFrom = replyToFrom
        self.bounceDomain = bounceDomain
        self.unsubscribeURL = unsubscribeURL
    }

    /// The domain of letters' `mailto:unsubscribe+TOKEN@…` address: the bounce doors'
    /// domain (`[bounces] domain`), else the `[reply-to]` event domain; nil when neither is set.
    public var unsubscribeDomain: String? {
        if let bounceDomain, !bounceDomain.isEmpty { return bounceDomain }
        return replyToFrom.map { String($0.address[$0.address.index(after: $0.address.lastIndex(of: "@")!)...]) }
    }

    /// The List-Unsubscribe fields of a letter with `token` (``ListUnsubscribe``).
    public func listUnsubscribeFields(token: String) throws(ListUnsubscribe.Problem) -> [HeaderField] {
        try ListUnsubscribe.fields(token: token, mailDomain: unsubscribeDomain, urlBase: unsubscribeURL)
    }

    /// The local part before `+TOKEN` in VERP addresses.
    public static let bounceLocalPart = "bounces"

    /// The envelope sender for a message of `mode` with `token`, or nil to use the From address.
    public func verpSender(mode: SenderMode, token: String) -> Mailbox? {
        let domain: String?
        switch mode {
        case .replyTo: domain = bounceDomain ?? replyToFrom.map { String($0.address.split(separator: "@").last ?? "") }
        case .system: domain = bounceDomain
        case .smtp, .m365OAuth, .gmailOAuth, .http, .maildir: domain = nil
        }
        guard let domain, !domain.isEmpty else { return nil }
        return try? Mailbox(address: "\(Self.bounceLocalPart)+\(token)@\(domain)")
    }

    /// Who a message of `profile` is from: the From and Reply-To headers and the envelope
    /// sender for the message token `token`. In `reply-to` mode the From is the company
    /// address on the event domain (with the owner's display name), Reply-To is the owner
    /// and the envelope a VERP bounce address. Fails — a problem of the profile or the
    /// configuration, fixable by the operator — when no usable From is known.
    public func identity(for profile: ResolvedProfile, token: String) -> Result<SenderIdentity, SenderIdentity.Problem> {
        let fix = "outbox profile set \(profile.owner) --from ADDRESS"
        guard let ownerAddress = profile.fromAddress, !ownerAddress.isEmpty else {
            return .failure(.init("no From address is known for owner \(profile.owner): \(fix) (or --from on the company profile)"))
        }
        let owner: Mailbox
        do { owner = try Mailbox(address: ownerAddress, displayName: profile.fromName) } catch {
            return .failure(.init("the From address of owner \(profile.owner) is invalid (\(error.reason)): \(fix)"))
        }
        var from = owner
        var replyTo = profile.replyTo.flatMap { try? Mailbox.parse($0) }.map { [$0] } ?? []
        if profile.mode == .replyTo {
            guard let company = replyToFrom else {
                return .failure(.init("owner \(profile.owner) uses mode reply-to, but outbox.conf has no [reply-to] company-address "
                    + "and event-domain"))
            }
            from = (try? Mailbox(address: company.address, displayName: profile.fromName ?? company.displayName)) ?? company
            if replyTo.isEmpty { replyTo = [owner] }
        }
        return .success(SenderIdentity(from: from, replyTo: replyTo, envelopeSender: verpSender(mode: profile.mode, token: token) ?? from))
    }
}

/// The From, Reply-To and envelope sender of one message (``SenderPolicy/identity(for:token:)``).
public struct SenderIdentity: Sendable, Hashable {
    public let from: Mailbox
    public let replyTo: [Mailbox]
    public let envelopeSender: Mailbox

    /// Why no identity could be made; says what to set.
    public struct Problem: Error, Sendable, Hashable, CustomStringConvertible {
        public let reason: String
        init(_ reason: String) { self.reason = reason }
        public var description: String { reason }
    }
}

extension SenderPolicy {
    /// `[reply-to]` company-address (a local part or a whole address) on event-domain, and
    /// `[bounces]` domain for VERP envelope senders.
    public init(configuration file: OutboxConfiguration) throws(SenderIdentity.Problem) {
        self.init(bounceDomain: file.bounces.domain, unsubscribeURL: file.bounces.unsubscribeURL)
        if let replyTo = file.replyTo {
            let address = replyTo.companyAddress.contains("@") ? replyTo.companyAddress : "\(replyTo.companyAddress)@\(replyTo.eventDomain)"
            do { replyToFrom = try Mailbox(address: address) } catch {
                throw SenderIdentity.Problem("[reply-to] company-address '\(address)': \(error.reason)")
            }
        }
    }
}
