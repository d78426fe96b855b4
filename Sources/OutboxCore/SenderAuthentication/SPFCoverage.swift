/// Whether a domain's SPF record (RFC 7208) authorises the system relay, read as text — not
/// a full SPF engine: the relay is covered when the record (or a record it includes or
/// redirects to) names one of the relay's `include:` domains with a pass qualifier, or lists
/// every relay network in `ip4:`/`ip6:` pass mechanisms before a mechanism that fails it,
/// or passes everything (`+all`). Includes and redirects are followed up to SPF's limit of
/// 10 DNS lookups (`a`, `mx`, `ptr` and `exists` count towards it); over it the record is a
/// permanent error and covers nothing.
///
/// Not evaluated: `a`, `mx`, `ptr` and `exists` (they never cover the relay here), macros,
/// `exp=`, and the relay's real source address (the configured `relay-spf` is trusted).
public enum SPFCoverage {
    public enum Verdict: Sendable, Hashable {
        /// Covered; says how.
        case covered(String)
        /// Not covered; says why.
        case notCovered(String)
        /// A lookup failed: not known.
        case unknown(String)
    }

    /// SPF's limit on DNS-querying terms per evaluation (RFC 7208 §4.6.4).
    public static let lookupLimit = 10

    /// Evaluates `domain`'s SPF record for `relay`; `lookup` returns a name's TXT records.
    public static func evaluate(domain: String, relay: RelaySPFIdentity, lookup: (String) throws -> [String]) -> Verdict {
        var lookups = 0
        return evaluate(domain.lowercased().trimmingTrailingDot, relay: relay, lookups: &lookups, lookup: lookup)
    }

    private static func evaluate(_ domain: String, relay: RelaySPFIdentity, lookups: inout Int, lookup: (String) throws -> [String]) -> Verdict {
        let texts: [String]
        do { texts = try lookup(domain) } catch { return .unknown("SPF of \(domain): \(error)") }
        let records = texts.filter { $0.lowercased() == "v=spf1" || $0.lowercased().hasPrefix("v=spf1 ") }
        guard records.count == 1, let record = records.first else {
            return .notCovered(records.isEmpty ? "\(domain) publishes no SPF record" : "\(domain) publishes \(records.count) SPF records (an SPF error)")
        }
        var passed = Set<IPNetwork>(), failed = Set<IPNetwork>()
        var redirect: String?
        var skipped: [String] = []
        for term in record.split(separator: " ").dropFirst().map({ $0.lowercased() }) {
            if let equals = term.firstIndex(of: "="), !term.contains(":") || term.firstIndex(of: ":")! > equals {
                if term.hasPrefix("redirect=") { redirect = String(term.dropFirst(9)).trimmingTrailingDot }
                continue
            }
            var body = Substring(term)
            let qualifier = "+-~?".contains(body.first ?? " ") ? body.removeFirst() : "+"
            let name = String(body.prefix { $0 != ":" && $0 != "/" })
            let value = body.dropFirst(name.count).drop { $0 == ":" }
            switch name {
            case "all":
                return qualifier == "+" ? .covered("the SPF record of \(domain) passes every sender (+all)") : summary(domain, relay, passed, skipped)
            case "include":
                lookups += 1
                guard lookups <= lookupLimit else { return .notCovered("the SPF record of \(domain) needs more than \(lookupLimit) DNS lookups (an SPF error)") }
                let target = String(value).trimmingTrailingDot
                guard qualifier == "+" else { continue }
                if relay.includes.contains(target) { return .covered("the SPF record of \(domain) has include:\(target)") }
                switch evaluate(target, relay: relay, lookups: &lookups, lookup: lookup) {
                case .covered(let how): return .covered("the SPF record of \(domain) includes \(target): \(how)")
                case .unknown(let why): return .unknown(why)
                case .notCovered(let why) where why.contains("more than \(lookupLimit)"): return .notCovered(why)
                case .notCovered: continue
                }
            case "ip4", "ip6":
                guard let network = IPNetwork(String(value), family: name == "ip4" ? 4 : 6) else {
                    return .notCovered("the SPF record of \(domain) has a malformed \(term) (an SPF error)")
                }
                for relayNetwork in relay.networks where network.contains(relayNetwork) && !passed.contains(relayNetwork) && !failed.contains(relayNetwork) {
                    if qualifier == "+" { passed.insert(relayNetwork) } else { failed.insert(relayNetwork) }
                }
            case "a", "mx", "ptr", "exists":
                lookups += 1
                guard lookups <= lookupLimit else { return .notCovered("the SPF record of \(domain) needs more than \(lookupLimit) DNS lookups (an SPF error)") }
                skipped.append(term)
            default:
                return .notCovered("the SPF record of \(domain) has an unknown term '\(term)' (an SPF error)")
            }
        }
        if !relay.networks.isEmpty, passed.count == relay.networks.count { return summary(domain, relay, passed, skipped) }
        if let redirect {
            lookups += 1
            guard lookups <= lookupLimit else { return .notCovered("the SPF record of \(domain) needs more than \(lookupLimit) DNS lookups (an SPF error)") }
            return evaluate(redirect, relay: relay, lookups: &lookups, lookup: lookup)
        }
        return summary(domain, relay, passed, skipped)
    }

    /// Covered when every relay network passed; otherwise why not.
    private static func summary(_ domain: String, _ relay: RelaySPFIdentity, _ passed: Set<IPNetwork>, _ skipped: [String]) -> Verdict {
        if !relay.networks.isEmpty, passed.count == relay.networks.count {
            return .covered("the SPF record of \(domain) lists the relay's addresses")
        }
        let wanted = relay.isEmpty ? "the relay ([dmarc] relay-spf is not set)" : relay.text
        let unchecked = skipped.isEmpty ? "" : " (not evaluated: \(skipped.joined(separator: " ")))"
        return .notCovered("the SPF record of \(domain) does not cover \(wanted)\(unchecked)")
    }
}
