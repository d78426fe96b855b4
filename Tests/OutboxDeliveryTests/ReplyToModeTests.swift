import Foundation
import GRDB
import OutboxCore
import OutboxDaemon
import OutboxStore
import Testing

/// `reply-to` mode: through the system relay, From the company on the event domain,
/// Reply-To the owner, and a VERP envelope sender so bounces come back to Outbox.
@Suite(.serialized) struct ReplyToModeTests {
    private func configuration(relayPort: Int, bounceDomain: String? = nil) throws -> DeliveryConfiguration {
        var configuration = OutboxFixture.configuration(workers: 1)
        configuration.systemRelay = OutboxFixture.systemRelay(port: relayPort)
        configuration.senderPolicy = SenderPolicy(replyToFrom: try Mailbox(address: "firma@events.example", displayName: "Firma"),
                                                  bounceDomain: bounceDomain)
        configuration.dkim.signModes = []  // identities only here; signing: OutboxCLITests' DKIMSigningTests
        return configuration
    }

    @Test func fromIsTheCompanyReplyToTheOwnerAndTheEnvelopeCarriesTheToken() throws {
        let fixture = try OutboxFixture(), relay = try SMTPTestServer()
        defer { relay.stop(); fixture.cleanUp() }
        // The owner's own server fields are ignored in reply-to mode: the relay is used.
        try fixture.setProfile("mari", mode: "reply-to", port: 1, from: "mari@firma.ee")
        try fixture.enqueue(3, owner: "mari", to: { "customer\($0)@example.net" })
        let summary = DeliveryEngine(database: fixture.outbox, configuration: try configuration(relayPort: relay.port)).drain()
        #expect(summary.sent == 3)
        let tokens = try fixture.sql.read { db in try String.fetchSet(db, sql: "SELECT token FROM message") }
        let messages = try relay.messages()
        #expect(messages.count == 3)
        for message in messages {
            #expect(message.header("From") == "Owner mari <firma@events.example>")
            #expect(message.header("Reply-To") == "Owner mari <mari@firma.ee>")
            let sender = try #require(message.mailFrom)
            #expect(sender.hasPrefix("bounces+") && sender.hasSuffix("@events.example"), "\(sender)")
            let token = String(sender.dropFirst("bounces+".count).prefix { $0 != "@" })
            #expect(tokens.contains(token))
        }
    }

    @Test func systemModeUsesVERPOnlyWhenABounceDomainIsConfigured() throws {
        let fixture = try OutboxFixture(), relay = try SMTPTestServer()
        defer { relay.stop(); fixture.cleanUp() }
        try fixture.setProfile("juri", mode: "system", from: "juri@firma.ee")
        try fixture.enqueue(1, owner: "juri")
        _ = DeliveryEngine(database: fixture.outbox, configuration: try configuration(relayPort: relay.port)).drain()
        try fixture.enqueue(1, owner: "juri")
        _ = DeliveryEngine(database: fixture.outbox, configuration: try configuration(relayPort: relay.port, bounceDomain: "bounce.firma.ee")).drain()
        let senders = try relay.messages().compactMap(\.mailFrom)
        #expect(senders.count == 2)
        #expect(senders.first == "juri@firma.ee")
        #expect(senders.last?.hasPrefix("bounces+") == true && senders.last?.hasSuffix("@bounce.firma.ee") == true)
    }

    @Test func replyToModeWithoutCompanyAddressHoldsTheProfileWithAClearReason() throws {
        let fixture = try OutboxFixture(), relay = try SMTPTestServer()
        defer { relay.stop(); fixture.cleanUp() }
        try fixture.setProfile("mari", mode: "reply-to", from: "mari@firma.ee")
        try fixture.enqueue(1, owner: "mari")
        var configuration = try configuration(relayPort: relay.port)
        configuration.senderPolicy = SenderPolicy()
        _ = DeliveryEngine(database: fixture.outbox, configuration: configuration).drain()
        // A configuration the operator can fix: the message waits instead of failing for good.
        #expect(try fixture.count("SELECT COUNT(*) FROM event WHERE kind = 'profile-held' AND detail LIKE '%[reply-to] company-address%'") == 1)
        #expect(try fixture.count("SELECT COUNT(*) FROM event WHERE kind = 'failed'") == 0)
        #expect(try relay.messages().isEmpty)
    }
}
