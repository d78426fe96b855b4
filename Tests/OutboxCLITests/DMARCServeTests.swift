import Foundation
import OutboxTestSupport
import Testing

/// DMARC-aware routing through the binary as an operator sets it up: `[dns] resolver`,
/// `[dmarc] mismatch` and `relay-spf` in outbox.conf, `outbox serve --once` sending through
/// an aiosmtpd relay, and a stub DNS server (dnslib) publishing firma.ee's DMARC and SPF.
@Suite(.serialized, .timeLimit(.minutes(10))) struct DMARCServeTests {
    private func withSetUp(mismatch: String?, _ body: (ProfileGuide, TestSMTPServer, DNSStubServer) throws -> Void) throws {
        try withTestSMTPServer { relay in
            let dns = try DNSStubServer()
            defer { dns.stop() }
            try dns.set(["_dmarc.firma.ee": [.init("v=DMARC1; p=reject")], "firma.ee": [.init("v=spf1 include:_spf.google.com -all")],
                         "_spf.google.com": [.init("v=spf1 ip4:209.85.128.0/17 ~all")]])
            let guide = try ProfileGuide(conf: DKIMSigningTests.relayConf(relay.port, extra: """
                [dkim]
                sign-modes = none
                [dns]
                resolver = \(dns.address)
                [dmarc]
                relay-spf = include:_spf.relay.example
                \(mismatch.map { "mismatch = \($0)" } ?? "")
                """))
            defer { guide.cleanUp() }
            try guide.run(["profile", "set", "mari", "--mode", "system", "--from", "mari@firma.ee", "--config", guide.configPath])
            try guide.enqueue(owner: "mari")
            try body(guide, relay, dns)
        }
    }

    @Test func byDefaultARejectingDomainGoesInReplyToMode() throws {
        try withSetUp(mismatch: nil) { guide, relay, dns in
            let serve = try guide.serveOnce()
            #expect(serve.stdout.contains("sent 1"), "\(serve.stdout)\(serve.stderr)")
            let message = try #require(try relay.messages().first)
            #expect(message.text.contains("\r\nFrom: firma@events.firma.ee\r\n") || message.text.hasPrefix("From: firma@events.firma.ee\r\n"), "\(message.text)")
            #expect(message.text.contains("\r\nReply-To: mari@firma.ee\r\n"), "\(message.text)")
            #expect(serve.stderr.contains("goes in reply-to mode: DMARC p=reject of firma.ee"), "\(serve.stderr)")
            #expect(try dns.queries("_dmarc.firma.ee") == 1)
        }
    }

    @Test func holdHoldsTheProfileAndTheEventSaysWhatToPublish() throws {
        try withSetUp(mismatch: "hold") { guide, relay, _ in
            let serve = try guide.serveOnce()
            #expect(serve.stdout.contains("held 1"), "\(serve.stdout)\(serve.stderr)")
            #expect(try relay.messages().isEmpty)
            let detail = try #require(try guide.events("profile-held").first?["detail"] as? String)
            #expect(detail.hasPrefix("configuration: dmarc: DMARC p=reject of firma.ee: no DKIM key for firma.ee, and the SPF record of firma.ee "
                                     + "does not cover include:_spf.relay.example"), "\(detail)")
            #expect(detail.contains("outbox dkim keygen --domain firma.ee"), "\(detail)")
        }
    }

    @Test func aBadSettingIsRefusedWithFileAndLine() throws {
        let guide = try ProfileGuide(conf: "[dmarc]\nmismatch = bounce\n[dns]\nresolver = dns.example\n")
        defer { guide.cleanUp() }
        let serve = try guide.outbox.run(["serve", "--once", "--config", guide.configPath])
        #expect(serve.status != 0)
        #expect(serve.stderr.contains("outbox.conf:2: [dmarc] mismatch: 'bounce' is not reply-to, hold or send"), "\(serve.stderr)")
    }
}
