/// Everything the parser learned from one message that came back to the bounce mailbox.
public struct BounceReport: Hashable, Sendable {
    /// What the message is.
    public var kind: BounceKind
    /// Which recogniser understood it.
    public var format: BounceFormat
    /// One entry per recipient the message reports on, in order of appearance.
    public var perRecipient: [BounceRecipient]
    /// The `Message-ID` of the returned (original) message, without angle brackets.
    public var returnedMessageID: String?
    /// Headers of the returned message the caller asked for, keyed by the name as the
    /// caller spelled it (first occurrence, RFC 2047 words decoded).
    public var returnedHeaders: [String: String]
    /// The MTA that wrote the report (`Reporting-MTA`, without `dns;`).
    public var reportingMTA: String?
    /// `Arrival-Date` of the per-message fields, as written.
    public var arrivalDate: String?
    /// `Original-Envelope-Id` (the ENVID given at `MAIL FROM`), when reported.
    public var originalEnvelopeID: String?
    /// Addresses the bounce itself was delivered to, from `Delivered-To`,
    /// `X-Original-To`, `Envelope-To`, `X-Envelope-To` and `To`, in that order and
    /// without duplicates: where a VERP token (`bounces+TOKEN@domain`) shows up.
    public var envelopeRecipients: [String]
    /// The bounce's own subject, RFC 2047 words decoded.
    public var subject: String?
    /// Limits hit and damage worked around while parsing.
    public var anomalies: Set<BounceAnomaly>

    public init(
        kind: BounceKind, format: BounceFormat, perRecipient: [BounceRecipient] = [],
        returnedMessageID: String? = nil, returnedHeaders: [String: String] = [:],
        reportingMTA: String? = nil, arrivalDate: String? = nil, originalEnvelopeID: String? = nil,
        envelopeRecipients: [String] = [], subject: String? = nil, anomalies: Set<BounceAnomaly> = []
    ) {
        self.kind = kind
        self.format = format
        self.perRecipient = perRecipient
        self.returnedMessageID = returnedMessageID
        self.returnedHeaders = returnedHeaders
        self.reportingMTA = reportingMTA
        self.arrivalDate = arrivalDate
        self.originalEnvelopeID = originalEnvelopeID
        self.envelopeRecipients = envelopeRecipients
        self.subject = subject
        self.anomalies = anomalies
    }

    /// VERP tokens in ``envelopeRecipients``: for `prefix` `bounces`, the `TOKEN` of every
    /// `bounces+TOKEN@domain` (the local-part prefix is matched without regard to case).
    public func verpTokens(prefix: String = "bounces", separator: Character = "+") -> [String] {
        let wanted = (prefix + String(separator)).lowercased()
        return envelopeRecipients.compactMap { address in
            guard let at = address.lastIndex(of: "@") else { return nil }
            let local = address[..<at]
            guard local.count > wanted.count, local.lowercased().hasPrefix(wanted) else { return nil }
            return String(local.dropFirst(wanted.count))
        }
    }
}
