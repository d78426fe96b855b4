import OutboxCore
import Testing

/// The textual DMARC and SPF reading behind DMARC-aware routing: records as domains publish
/// them, evaluated against a zone given as a dictionary (the DNS side is tested against a
/// stub server in OutboxTransportTests and OutboxDeliveryTests).
struct SenderAuthenticationTests {
    struct LookupFailed: Error {}

    private func lookup(_ zone: [String: [String]], failing: Set<String> = []) -> (String) throws -> [String] {
        { name in
            if failing.contains(name) { throw LookupFailed() }
            return zone[name] ?? []
        }
    }

    private let relay = try! RelaySPFIdentity(parsing: "include:_spf.relay.example, ip4:192.0.2.10 ip6:2001:db8::/48")

    @Test func organisationalDomainsTakeKnownSecondLevelSuffixesIntoAccount() {
        #expect(OrganizationalDomain.of("mail.sales.firma.ee") == "firma.ee")
        #expect(OrganizationalDomain.of("Firma.EE.") == "firma.ee")
        #expect(OrganizationalDomain.of("invoices.firma.co.uk") == "firma.co.uk")
        #expect(OrganizationalDomain.of("shop.firma.com.ee") == "firma.com.ee")
        #expect(OrganizationalDomain.aligned("bounce.firma.ee", "firma.ee", strict: false))
        #expect(!OrganizationalDomain.aligned("bounce.firma.ee", "firma.ee", strict: true))
        #expect(!OrganizationalDomain.aligned("a.co.uk", "b.co.uk", strict: false))
    }

    @Test func dmarcRecordsAreReadOnlyWhenTheyAreDMARC() {
        let record = DMARCRecord("v=DMARC1;p=Reject; sp=none; aspf=s ; rua=mailto:d@firma.ee")
        #expect(record?.policy == .reject && record?.subdomainPolicy == DMARCRecord.Policy.none && record?.strictSPF == true)
        #expect(DMARCRecord("p=reject; v=DMARC1") == nil)  // v= must come first
        #expect(DMARCRecord("v=DMARC1; p=maybe") == nil)
        #expect(DMARCRecord("v=spf1 -all") == nil)
    }

    @Test func spfCoversTheRelayByIncludeNestedIncludeRedirectOrAddresses() {
        let covered: [[String: [String]]] = [
            ["firma.ee": ["v=spf1 mx include:_SPF.relay.example. -all"]],
            ["firma.ee": ["v=spf1 include:_spf.firma.ee -all"], "_spf.firma.ee": ["v=spf1 include:_spf.relay.example ~all"]],
            ["firma.ee": ["v=spf1 redirect=_spf.firma.ee"], "_spf.firma.ee": ["v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all"]],
            ["firma.ee": ["some-verification=1", "v=spf1 +all"]],
        ]
        for zone in covered {
            guard case .covered = SPFCoverage.evaluate(domain: "firma.ee", relay: relay, lookup: lookup(zone)) else {
                Issue.record("not covered: \(zone)")
                continue
            }
        }
    }

    @Test func spfDoesNotCoverTheRelayOtherwise() {
        let uncovered: [[String: [String]]] = [
            [:],
            ["firma.ee": ["v=spf1 include:_spf.google.com -all"], "_spf.google.com": ["v=spf1 ip4:209.85.128.0/17 ~all"]],
            ["firma.ee": ["v=spf1 -include:_spf.relay.example -all"]],
            ["firma.ee": ["v=spf1 -ip4:192.0.2.10 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all"]],  // the first match fails it
            ["firma.ee": ["v=spf1 ip4:192.0.2.10 -all"]],  // the IPv6 network is not listed
            ["firma.ee": ["v=spf1 include:_spf.relay.example", "v=spf1 -all"]],  // two records: an SPF error
            ["firma.ee": ["v=spf1 a mx ptr exists:%{i}.x.example -all"]],
        ]
        for zone in uncovered {
            guard case .notCovered = SPFCoverage.evaluate(domain: "firma.ee", relay: relay, lookup: lookup(zone)) else {
                Issue.record("covered: \(zone)")
                continue
            }
        }
    }

    @Test func spfStopsAfterTenLookups() {
        var zone: [String: [String]] = [:]
        for level in 0..<11 { zone["l\(level).firma.ee"] = ["v=spf1 include:l\(level + 1).firma.ee -all"] }
        zone["l11.firma.ee"] = ["v=spf1 include:_spf.relay.example -all"]
        guard case .notCovered(let why) = SPFCoverage.evaluate(domain: "l0.firma.ee", relay: relay, lookup: lookup(zone)) else {
            Issue.record("eleven lookups were followed")
            return
        }
        #expect(why.contains("more than 10 DNS lookups"))
        zone["l9.firma.ee"] = ["v=spf1 include:_spf.relay.example -all"]  // the tenth include names the relay
        guard case .covered = SPFCoverage.evaluate(domain: "l0.firma.ee", relay: relay, lookup: lookup(zone)) else {
            Issue.record("ten lookups are allowed")
            return
        }
    }

    @Test func assessmentNeedsAnAlignedEnvelopeForSPFAndReportsLookupFailures() {
        let zone = ["_dmarc.firma.ee": ["v=DMARC1; p=reject"], "firma.ee": ["v=spf1 include:_spf.relay.example -all"],
                    "bounce.firma.ee": ["v=spf1 -all"]]
        let assess = { (envelope: String, failing: Set<String>) in
            DMARCAssessment.assess(fromDomain: "firma.ee", envelopeDomain: envelope, signsAligned: false, relay: self.relay,
                                   lookup: self.lookup(zone, failing: failing))
        }
        guard case .authorised = assess("firma.ee", []) else { Issue.record("the relay is in firma.ee's SPF"); return }
        guard case .fails(.reject, _) = assess("bounce.firma.ee", []) else { Issue.record("bounce.firma.ee's SPF fails the relay"); return }
        guard case .fails(.reject, let why) = assess("events.example", []) else { Issue.record("an unaligned envelope cannot pass"); return }
        #expect(why.contains("not aligned"))
        guard case .unknown = assess("firma.ee", ["_dmarc.firma.ee"]) else { Issue.record("a failed lookup is not known"); return }
        guard case .authorised = DMARCAssessment.assess(fromDomain: "firma.ee", envelopeDomain: "events.example", signsAligned: true,
                                                        relay: relay, lookup: lookup(zone)) else { Issue.record("DKIM aligns"); return }
    }

    @Test func relaySPFRefusesOtherTerms() throws {
        #expect(throws: SPFTermError.self) { try RelaySPFIdentity(parsing: "include:_spf.relay.example a:relay.example") }
        #expect(throws: SPFTermError.self) { try RelaySPFIdentity(parsing: "ip4:300.1.1.1") }
        #expect(try RelaySPFIdentity(parsing: "ip4:192.0.2.0/24 include:X.example").text == "include:x.example ip4:192.0.2.0/24")
    }
}
