/// Whether mail with a From domain, sent through the system relay, will pass DMARC at the
/// receiver (RFC 7489): it passes when it is *authorised* — an aligned DKIM signature that
/// Outbox adds, or an SPF pass for an envelope sender aligned with the From domain — and a
/// domain without an enforcing policy (no record, `p=none`) loses nothing either way.
public enum DMARCAssessment {
    public enum Verdict: Sendable, Hashable {
        /// Authorised; says how.
        case authorised(String)
        /// The domain does not enforce DMARC (no record, or `p=none`); says which.
        case notEnforced(String)
        /// Not authorised while the domain enforces `policy`; says why.
        case fails(policy: DMARCRecord.Policy, reason: String)
        /// A lookup failed; says which.
        case unknown(String)
    }

    /// The verdict for mail `From:` `fromDomain` with envelope sender in `envelopeDomain`.
    /// - Parameters:
    ///   - signsAligned: Outbox will sign it with DKIM `d=` the From domain (a key exists and the mode signs).
    ///   - relay: the relay's SPF identity (`[dmarc] relay-spf`).
    ///   - lookup: a name's TXT records (empty: none); throws when the lookup fails.
    public static func assess(
        fromDomain: String, envelopeDomain: String, signsAligned: Bool, relay: RelaySPFIdentity, lookup: (String) throws -> [String]
    ) -> Verdict {
        let from = fromDomain.lowercased().trimmingTrailingDot
        let found: (record: DMARCRecord, at: String)?
        do { found = try policy(for: from, lookup: lookup) } catch { return .unknown("DMARC of \(from): \(error)") }
        guard let found else { return .notEnforced("\(from) publishes no DMARC record") }
        let (record, at) = (found.record, found.at)
        let policy = at == from ? record.policy : record.subdomainPolicy ?? record.policy
        guard policy != .none else { return .notEnforced("the DMARC policy of \(from) is p=none") }
        if signsAligned { return .authorised("Outbox signs with DKIM d=\(from)") }
        let envelope = envelopeDomain.lowercased().trimmingTrailingDot
        guard OrganizationalDomain.aligned(envelope, from, strict: record.strictSPF) else {
            return .fails(policy: policy, reason: "DMARC p=\(policy.rawValue) of \(from): no DKIM key for \(from), and the envelope sender's "
                + "domain \(envelope) is not aligned with it, so SPF cannot pass DMARC")
        }
        switch SPFCoverage.evaluate(domain: envelope, relay: relay, lookup: lookup) {
        case .covered(let how): return .authorised(how)
        case .unknown(let why): return .unknown(why)
        case .notCovered(let why):
            return .fails(policy: policy, reason: "DMARC p=\(policy.rawValue) of \(from): no DKIM key for \(from), and \(why)")
        }
    }

    /// The DMARC record that applies to `domain` and where it was found: `_dmarc.DOMAIN`, else
    /// `_dmarc.` the organisational domain (RFC 7489 §6.6.3). Nil when neither has one; a name
    /// with several DMARC records has none.
    public static func policy(for domain: String, lookup: (String) throws -> [String]) throws -> (record: DMARCRecord, at: String)? {
        let organisational = OrganizationalDomain.of(domain)
        for name in domain == organisational ? [domain] : [domain, organisational] {
            let records = try lookup("_dmarc.\(name)").compactMap(DMARCRecord.init)
            if records.count == 1, let record = records.first { return (record: record, at: name) }
        }
        return nil
    }
}
