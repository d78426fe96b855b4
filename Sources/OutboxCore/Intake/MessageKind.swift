/// What a message is, which decides whether its recipient may unsubscribe from it.
///
/// - `transactional` (the default): mail the recipient needs whatever they chose — order
///   confirmations, password resets. No List-Unsubscribe from Outbox; an unsubscribed
///   address still gets it.
/// - `invoice`: like transactional, and never carries List-Unsubscribe: asking for it
///   (`"unsubscribe": true`, or a custom List-Unsubscribe header) is refused at intake.
/// - `letter`: a customer letter (newsletter, mail merge). Carries List-Unsubscribe
///   (RFC 2369, and RFC 8058 one-click with an https base URL configured); an address
///   that unsubscribed from the owner's letters is not sent the owner's next letter.
public enum MessageKind: String, Sendable, Hashable, CaseIterable, Codable {
    case transactional, invoice, letter

    /// Whether the recipient can unsubscribe from this kind of mail.
    public var isUnsubscribable: Bool { self == .letter }

    /// The words intake accepts, for error messages.
    static let vocabulary = allCases.map(\.rawValue).joined(separator: ", ")
}
