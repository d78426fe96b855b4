import Foundation
import OutboxTestSupport
import OutboxTransport
import Testing

/// The DNS TXT component (glibc's resolver through CResolv) against a stub authoritative
/// server on loopback (dnslib): answers, long records, TTL and negative caching, failures.
@Suite(.serialized, .timeLimit(.minutes(10))) struct TXTResolverTests {
    /// A resolver asking only `dns`. Answers may take long on a starved machine (the stub is a
    /// Python process), so only the test of silence uses a short timeout.
    private func resolver(_ dns: DNSStubServer, negativeTTL: Duration = .seconds(60), timeout: Duration = .seconds(10)) -> TXTResolver {
        TXTResolver(server: DNSServerAddress(dns.address), timeout: timeout, attempts: 1, negativeTTL: negativeTTL, failureTTL: .seconds(1))
    }

    @Test func answersAreCachedForTheirTTLThenAskedAgain() async throws {
        let dns = try DNSStubServer()
        defer { dns.stop() }
        try dns.set(["firma.ee": [.init("v=spf1 include:_spf.relay.example -all", ttl: 1), .init("google-site-verification=x", ttl: 300)]])
        let resolver = resolver(dns)
        #expect(try resolver.txt("firma.ee").sorted() == ["google-site-verification=x", "v=spf1 include:_spf.relay.example -all"])
        #expect(try resolver.txt("FIRMA.ee.").count == 2)  // the same name: from the cache
        #expect(try dns.queries("firma.ee") == 1)
        try await Task.sleep(for: .seconds(1.3))  // the smallest TTL (1 s) has passed
        try dns.set(["firma.ee": [.init("v=spf1 -all", ttl: 300)]])
        #expect(try resolver.txt("firma.ee") == ["v=spf1 -all"])
        #expect(try dns.queries("firma.ee") == 2)
    }

    @Test func aLongRecordComesBackAsOneText() throws {
        let dns = try DNSStubServer()
        defer { dns.stop() }
        let key = "v=DKIM1; k=rsa; p=" + String(repeating: "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA", count: 10)  // > 255 octets: several strings
        try dns.set(["s1._domainkey.firma.ee": [.init(key)]])
        #expect(try resolver(dns).txt("s1._domainkey.firma.ee") == [key])
    }

    @Test func aMissingNameIsEmptyAndCachedBriefly() async throws {
        let dns = try DNSStubServer()
        defer { dns.stop() }
        try dns.set(["firma.ee": []])  // the name exists without TXT records (NODATA); others are NXDOMAIN
        let resolver = resolver(dns, negativeTTL: .seconds(1))
        #expect(try resolver.txt("_dmarc.firma.ee").isEmpty)
        #expect(try resolver.txt("firma.ee").isEmpty)
        #expect(try resolver.txt("_dmarc.firma.ee").isEmpty)
        #expect(try dns.queries("_dmarc.firma.ee") == 1)
        try await Task.sleep(for: .seconds(1.3))
        try dns.set(["_dmarc.firma.ee": [.init("v=DMARC1; p=reject")]])
        #expect(try resolver.txt("_dmarc.firma.ee") == ["v=DMARC1; p=reject"])
    }

    @Test func serverFailureAndSilenceAreUnreachableWithinTheTimeout() throws {
        let dns = try DNSStubServer()
        try dns.set([:], servfail: ["broken.example"])
        let resolver = resolver(dns, timeout: .seconds(1))
        #expect(throws: DNSLookupError.self) { try resolver.txt("broken.example") }
        dns.stop()
        let started = Date()
        do {
            _ = try resolver.txt("firma.ee")
            Issue.record("a lookup without a server answered")
        } catch {
            #expect(error.code == .unreachable, "\(error)")
        }
        #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test func theResolverAddressIsIPv4WithAnOptionalPort() {
        #expect(DNSServerAddress("127.0.0.1:5353")?.port == 5353)
        #expect(DNSServerAddress("192.0.2.53")?.port == 53)
        #expect(DNSServerAddress("localhost:53") == nil)
        #expect(DNSServerAddress("127.0.0.1:0") == nil)
    }
}
