import Foundation
import GRDB
import OutboxCore
import OutboxDaemon
import OutboxStore
import OutboxTestSupport
import OutboxTransport
import Testing

/// DMARC-aware routing of `system`-mode mail, against a stub DNS server (dnslib) and an
/// aiosmtpd relay on loopback: a From domain that enforces DMARC while the relay is not
/// authorised goes in reply-to mode or holds the profile (per `[dmarc] mismatch`); a domain
/// with `p=none`, an SPF record that includes the relay, or a DKIM key of Outbox's is sent
/// unchanged; the answers are cached by their TTL.
@Suite(.serialized, .timeLimit(.minutes(10))) struct DMARCRoutingTests {
    static let relayInclude = "_spf.relay.example"

    private func configuration(relayPort: Int, dns: DNSStubServer, mismatch: DMARCSettings.Mismatch = .replyTo, signs: Bool = false,
                               replyTo: Bool = true) throws -> DeliveryConfiguration {
        var configuration = OutboxFixture.configuration(workers: 1)
        configuration.systemRelay = OutboxFixture.systemRelay(port: relayPort)
        configuration.senderPolicy = SenderPolicy(replyToFrom: replyTo ? try Mailbox(address: "firma@events.example", displayName: "Firma") : nil)
        configuration.dkim.signModes = signs ? [.system] : []
        var dmarc = DMARCSettings()
        dmarc.mismatch = mismatch
        dmarc.relaySPF = try RelaySPFIdentity(parsing: "include:\(Self.relayInclude) ip4:127.0.0.1")
        configuration.dmarc = DMARCRouting(settings: dmarc, resolver: TXTResolver(server: DNSServerAddress(dns.address), timeout: .seconds(1), attempts: 1))
        return configuration
    }

    /// A fixture, a relay and a DNS stub serving `zone`; `body` runs with them, then all stop.
    private func withServers(_ zone: [String: [DNSStubServer.TXT]], _ body: (OutboxFixture, SMTPTestServer, DNSStubServer) throws -> Void) throws {
        let fixture = try OutboxFixture(), relay = try SMTPTestServer(), dns = try DNSStubServer()
        defer { dns.stop(); relay.stop(); fixture.cleanUp() }
        try dns.set(zone)
        try body(fixture, relay, dns)
    }

    @Test func rejectPolicyWithoutAuthorisationGoesInReplyToModeAndTheAnswersAreCached() throws {
        let zone: [String: [DNSStubServer.TXT]] = [
            "_dmarc.firma.ee": [.init("v=DMARC1; p=reject; rua=mailto:dmarc@firma.ee", ttl: 300)],
            "firma.ee": [.init("v=spf1 include:_spf.google.com mx -all"), .init("google-site-verification=abc")],
            "_spf.google.com": [.init("v=spf1 ip4:209.85.128.0/17 ~all")],
        ]
        try withServers(zone) { fixture, relay, dns in
            try fixture.setProfile("mari", mode: "system", from: "mari@firma.ee")
            try fixture.enqueue(3, owner: "mari")
            let summary = DeliveryEngine(database: fixture.outbox, configuration: try configuration(relayPort: relay.port, dns: dns)).drain()
            #expect(summary.sent == 3)
            let messages = try relay.messages()
            #expect(messages.count == 3)
            for message in messages {
                #expect(message.header("From") == "Owner mari <firma@events.example>")
                #expect(message.header("Reply-To") == "Owner mari <mari@firma.ee>")
            }
            // Three messages, one query per name: the answers are cached for their TTL.
            #expect(try dns.queries("_dmarc.firma.ee") == 1)
            #expect(try dns.queries("firma.ee") == 1)
            #expect(try dns.queries("_spf.google.com") == 1)
        }
    }

    @Test func subdomainFallsBackToTheOrganisationalDomainsPolicy() throws {
        try withServers(["_dmarc.firma.ee": [.init("v=DMARC1; p=none; sp=quarantine")], "sales.firma.ee": [.init("v=spf1 -all")]]) { fixture, relay, dns in
            try fixture.setProfile("juri", mode: "system", from: "juri@sales.firma.ee")
            try fixture.enqueue(1, owner: "juri")
            _ = DeliveryEngine(database: fixture.outbox, configuration: try configuration(relayPort: relay.port, dns: dns)).drain()
            let message = try #require(try relay.messages().first)
            #expect(message.header("From") == "Owner juri <firma@events.example>")
            #expect(try dns.queries("_dmarc.sales.firma.ee") == 1)  // NXDOMAIN, then the organisational domain
            #expect(try dns.queries("_dmarc.firma.ee") == 1)
        }
    }

    @Test func holdSettingHoldsTheProfileWithTheReasonAndWhatToPublish() throws {
        try withServers(["_dmarc.firma.ee": [.init("v=DMARC1; p=quarantine")], "firma.ee": [.init("v=spf1 ip4:192.0.2.0/24 -all")]]) { fixture, relay, dns in
            try fixture.setProfile("mari", mode: "system", from: "mari@firma.ee")
            try fixture.enqueue(2, owner: "mari")
            _ = DeliveryEngine(database: fixture.outbox, configuration: try configuration(relayPort: relay.port, dns: dns, mismatch: .hold)).drain()
            #expect(try relay.messages().isEmpty)
            #expect(try fixture.count("SELECT COUNT(*) FROM event WHERE kind = 'failed'") == 0)
            let detail = try fixture.sql.read { db in try String.fetchOne(db, sql: "SELECT detail FROM event WHERE kind = 'profile-held'") }
            let reason = try #require(detail)
            #expect(reason.contains("DMARC p=quarantine of firma.ee"), "\(reason)")
            #expect(reason.contains("does not cover include:\(Self.relayInclude) ip4:127.0.0.1"), "\(reason)")
            #expect(reason.contains("outbox dkim keygen --domain firma.ee"), "\(reason)")
        }
    }

    @Test func replyToSettingWithoutReplyToModeConfiguredHolds() throws {
        try withServers(["_dmarc.firma.ee": [.init("v=DMARC1; p=reject")]]) { fixture, relay, dns in
            try fixture.setProfile("mari", mode: "system", from: "mari@firma.ee")
            try fixture.enqueue(1, owner: "mari")
            _ = DeliveryEngine(database: fixture.outbox, configuration: try configuration(relayPort: relay.port, dns: dns, replyTo: false)).drain()
            #expect(try relay.messages().isEmpty)
            #expect(try fixture.count("SELECT COUNT(*) FROM event WHERE kind = 'profile-held' AND detail LIKE '%add [reply-to] company-address%'") == 1)
        }
    }

    @Test(arguments: [
        // p=none: nothing is enforced.
        ["_dmarc.firma.ee": ["v=DMARC1; p=none"]],
        // The From domain's SPF includes the relay's include domain.
        ["_dmarc.firma.ee": ["v=DMARC1; p=reject"], "firma.ee": ["v=spf1 include:spf.protection.outlook.com include:_spf.relay.example -all"]],
        // … through a nested include, or a redirect to a record listing the relay's address.
        ["_dmarc.firma.ee": ["v=DMARC1; p=reject"], "firma.ee": ["v=spf1 include:_spf.firma.ee ~all"], "_spf.firma.ee": ["v=spf1 include:_spf.relay.example"]],
        ["_dmarc.firma.ee": ["v=DMARC1; p=reject"], "firma.ee": ["v=spf1 redirect=_spf.firma.ee"], "_spf.firma.ee": ["v=spf1 ip4:127.0.0.0/8 -all"]],
        // No DMARC record anywhere.
        [:],
    ])
    func authorisedOrUnenforcedDomainsAreSentUnchanged(_ zone: [String: [String]]) throws {
        try withServers(zone.mapValues { $0.map { DNSStubServer.TXT($0) } }) { fixture, relay, dns in
            try fixture.setProfile("mari", mode: "system", from: "mari@firma.ee")
            try fixture.enqueue(1, owner: "mari")
            let summary = DeliveryEngine(database: fixture.outbox, configuration: try configuration(relayPort: relay.port, dns: dns)).drain()
            #expect(summary.sent == 1)
            let message = try #require(try relay.messages().first)
            #expect(message.header("From") == "Owner mari <mari@firma.ee>")
            #expect(message.header("Reply-To") == nil)
        }
    }

    /// System mode signs (the default): a key for the From domain aligns (and a missing key holds the profile for DKIM).
    @Test func aDKIMKeyForTheFromDomainIsAlignedSoTheMessageIsSignedAndUnchanged() throws {
        try withServers(["_dmarc.firma.ee": [.init("v=DMARC1; p=reject; adkim=s")], "firma.ee": [.init("v=spf1 -all")]]) { fixture, relay, dns in
            _ = try fixture.outbox.storeDKIMKey(domain: "firma.ee", selector: "s1", key: try DKIMPrivateKey.generate(.rsaSHA256),
                                                now: OutboxDatabase.milliseconds(Date()))
            try fixture.setProfile("mari", mode: "system", from: "mari@firma.ee")
            try fixture.enqueue(1, owner: "mari")
            _ = DeliveryEngine(database: fixture.outbox, configuration: try configuration(relayPort: relay.port, dns: dns, signs: true)).drain()
            let message = try #require(try relay.messages().first)
            #expect(message.header("From") == "Owner mari <mari@firma.ee>")
            #expect(message.header("DKIM-Signature")?.contains("d=firma.ee") == true)
            #expect(try dns.queries("_dmarc.firma.ee") == 0)  // signing aligns by itself: nothing to look up
        }
    }

    @Test func aResolverThatDoesNotAnswerSendsUnchanged() throws {
        let fixture = try OutboxFixture(), relay = try SMTPTestServer(), dns = try DNSStubServer()
        defer { relay.stop(); fixture.cleanUp() }
        let configuration = try configuration(relayPort: relay.port, dns: dns)
        dns.stop()  // nothing answers on its port now
        try fixture.setProfile("mari", mode: "system", from: "mari@firma.ee")
        try fixture.enqueue(2, owner: "mari")
        let started = Date()
        #expect(DeliveryEngine(database: fixture.outbox, configuration: configuration).drain().sent == 2)
        #expect(Date().timeIntervalSince(started) < 15)
        #expect(try relay.messages().allSatisfy { $0.header("From") == "Owner mari <mari@firma.ee>" })
    }
}
