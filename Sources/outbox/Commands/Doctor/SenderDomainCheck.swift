import OutboxCore
import OutboxDaemon
import OutboxStore

/// The VERP and event domains against the sender modes in use: reply-to mode needs
/// `[reply-to]`; its event domain and `[bounces] domain` should be one (one mailbox receives
/// every bounce); the company address belongs on the event domain. Domains are compared in
/// one form (A-label), so `müller.de` and `xn--mller-kva.de` are one domain.
enum SenderDomainCheck {
    static func run(_ configuration: OutboxConfiguration, database: OutboxDatabase?) -> DoctorFinding {
        let modes = modesInUse(database, configuration: configuration)
        let byMode = Dictionary(grouping: modes, by: \.mode).mapValues { $0.map(\.owner) }
        let bounceDomain = configuration.bounces.domain
        let replyTo = configuration.replyTo
        if let owners = byMode[.replyTo], replyTo == nil {
            return .problem("sender domains", "owner(s) \(owners.joined(separator: ", ")) use reply-to mode, but outbox.conf has no [reply-to]",
                            fix: "add [reply-to] company-address and event-domain to outbox.conf (their mail is held until then), then systemctl reload outbox")
        }
        if let replyTo {
            if let bounceDomain, !IDNA.sameDomain(bounceDomain, replyTo.eventDomain) {
                return .warning("sender domains", "[bounces] domain \(bounceDomain) differs from [reply-to] event-domain \(replyTo.eventDomain): "
                                    + "system-mode bounces go to one, reply-to-mode bounces to the other",
                                fix: "use one domain for both, or make sure mail for both reaches the bounce mailbox (or the Postfix pipe)")
            }
            if let at = replyTo.companyAddress.lastIndex(of: "@"),
                !IDNA.sameDomain(String(replyTo.companyAddress[replyTo.companyAddress.index(after: at)...]), replyTo.eventDomain)
            {
                return .warning("sender domains", "[reply-to] company-address \(replyTo.companyAddress) is not on the event-domain \(replyTo.eventDomain)",
                                fix: "write the company-address as a local part (it is then on the event domain), or set event-domain to its domain")
            }
        }
        var said: [String] = []
        for (mode, owners) in byMode.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            said.append("\(mode.rawValue): \(owners.count) owner(s)")
        }
        let verp = bounceDomain ?? replyTo?.eventDomain
        let envelope = verp.map { "bounces return to bounces+TOKEN@\($0)" } ?? "no VERP domain: bounces go to each sender's own address"
        return .ok("sender domains", (said.isEmpty ? "no owner sends yet" : said.joined(separator: ", ")) + "; \(envelope)")
    }

    /// The resolved mode of every owner with a stored profile or waiting messages.
    private static func modesInUse(_ database: OutboxDatabase?, configuration: OutboxConfiguration) -> [(owner: String, mode: SenderMode)] {
        guard let database, let owners = try? DoctorContext.ownersInUse(database) else { return [] }
        return owners.compactMap { owner in
            guard let layers = try? database.profileLayers(owner: owner) else { return nil }
            return (owner, ProfileResolver.resolve(owner: owner, own: layers.own, global: layers.global, system: ProfileFields()).mode)
        }
    }
}
