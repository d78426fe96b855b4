import OutboxCore
import OutboxDaemon
import OutboxStore
import OutboxTransport

/// Every DKIM key in the outbox against DNS: the TXT record to publish at
/// `SELECTOR._domainkey.DOMAIN` (the one `outbox dkim keygen` printed) and — through the
/// configured resolver (`[dns] resolver`, else /etc/resolv.conf) — whether it is published
/// with this key. Not published, or another key published: a problem for a signing key
/// (receivers fail its signatures), a warning for one standing by. No answer from the
/// resolver: a warning, as this machine may simply not see the DNS the receivers see.
enum DKIMRecordChecks {
    static func run(_ context: DoctorContext, database: OutboxDatabase?) -> [DoctorFinding] {
        guard let database, let keys = try? database.dkimKeys(), !keys.isEmpty else { return [] }
        let resolver = (context.configuration?.dns ?? DNSSettings()).makeResolver()
        let jobs = keys.map { key -> @Sendable () -> DoctorFinding in { check(key, resolver: resolver) } }
        return zip(keys, BoundedWork.run(jobs, within: context.timeout)).map { key, finding in
            finding ?? .warning(name(key), "no answer from \(resolver.serverDescription) within the time bound; publish: \(key.dnsRecord.zoneLine)",
                                fix: "check that the record is published, or run outbox doctor where DNS is reachable")
        }
    }

    private static func name(_ key: DKIMKeyInfo) -> String { "dkim \(key.dnsRecord.name)" }

    static func check(_ key: DKIMKeyInfo, resolver: TXTResolver) -> DoctorFinding {
        let record = key.dnsRecord
        let role = key.isSigning ? "signing" : "standing-by"
        let publish = "publish this DNS record: \(record.zoneLine)"
        let texts: [String]
        do { texts = try resolver.txt(record.name) } catch {
            return .warning(name(key), "cannot look up the \(role) key's record (\(error.reason)); the record to publish: \(record.zoneLine)",
                            fix: "check [dns] resolver or /etc/resolv.conf, or run outbox doctor where DNS is reachable")
        }
        if texts.contains(where: record.isPublished) {
            return .ok(name(key), "the \(role) \(record.algorithm.rawValue) key is published")
        }
        let published = texts.compactMap(DKIMDNSRecord.publishedKey(in:))
        let detail: String
        if published.isEmpty {
            detail = "the \(role) key's record is not published (\(texts.isEmpty ? "no TXT record" : "no DKIM record among the TXT records"))"
        } else if published.allSatisfy({ $0.publicKey.isEmpty }) {
            detail = "the \(role) key's record is published as revoked (empty p=)"
        } else {
            detail = "a different key is published for the \(role) key (another k= or p=)"
        }
        let consequence = key.isSigning ? "; receivers fail its signatures" : " (needed before the older key is deleted)"
        return key.isSigning ? .problem(name(key), detail + consequence, fix: publish) : .warning(name(key), detail + consequence, fix: publish)
    }
}
