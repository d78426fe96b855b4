/// The List-Unsubscribe header fields of a letter (RFC 2369, RFC 8058).
///
/// `List-Unsubscribe: <mailto:unsubscribe+TOKEN@DOMAIN>` — mail to it reaches the bounce
/// doors (pipe or mailbox), which record the unsubscription — and, when an https base URL
/// is configured, `, <BASE/TOKEN>` with `List-Unsubscribe-Post: List-Unsubscribe=One-Click`
/// for one-click unsubscription by a POST to that URL. Both fields are in the DKIM header list.
public enum ListUnsubscribe {
    /// Why a letter cannot carry the header fields.
    public struct Problem: Error, Sendable, Hashable, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    /// The fields for `token`: the `mailto:` address on `mailDomain` and, with `urlBase`
    /// (`https://…`, ending in `/` or not), the one-click URL. Throws when neither is set.
    public static func fields(token: String, mailDomain: String?, urlBase: String?) throws(Problem) -> [HeaderField] {
        var targets: [String] = []
        if let domain = mailDomain, !domain.isEmpty { targets.append("<mailto:\(UnsubscribeToken.localPart)+\(token)@\(domain)>") }
        if let base = urlBase, !base.isEmpty { targets.append("<\(base.hasSuffix("/") ? base : base + "/")\(token)>") }
        guard !targets.isEmpty else {
            throw Problem(reason: "letters carry List-Unsubscribe, but no unsubscribe address is configured: set [bounces] domain "
                + "(mail to unsubscribe+TOKEN@ that domain must reach outbox bounces ingest or the bounce mailbox) and/or "
                + "[bounces] unsubscribe-url in outbox.conf")
        }
        do {
            var fields = [try HeaderField(name: "List-Unsubscribe", value: targets.joined(separator: ", "))]
            if urlBase?.isEmpty == false {
                fields.append(try HeaderField(name: "List-Unsubscribe-Post", value: "List-Unsubscribe=One-Click"))
            }
            return fields
        } catch {
            throw Problem(reason: "cannot write List-Unsubscribe: \(error.reason)")
        }
    }

    /// Header names Outbox writes for letters; a letter or an invoice may not bring its own.
    public static let headerNames: Set<String> = ["list-unsubscribe", "list-unsubscribe-post"]
}
