import Foundation
import OutboxTestSupport
import Testing

/// `outbox doctor`'s DKIM check through the binary: each stored key's TXT record against a
/// stub DNS server (dnslib) on loopback named by `[dns] resolver` — published with the key:
/// ok; missing or another key: a problem whose fix is the record to publish; no resolver
/// answering: a warning that still shows the record.
@Suite(.serialized, .timeLimit(.minutes(10))) struct DoctorDKIMTests {
    /// An installation with an RSA key `s1` for firma.ee; `body` gets the key's record text
    /// and zone line, and runs doctor with a configuration that asks `dns`.
    private func withKey(_ body: (DoctorCommandTests.Installation, DNSStubServer, _ text: String, _ zoneLine: String) throws -> Void) throws {
        let installation = try DoctorCommandTests.Installation()
        defer { installation.workspace.cleanUp() }
        let dns = try DNSStubServer()
        defer { dns.stop() }
        let keygen = try installation.outbox(["dkim", "keygen", "--domain", "firma.ee", "--selector", "s1"])
        #expect(keygen.status == 0, "\(keygen.stderr)")
        let zoneLine = try #require(keygen.stdout.split(separator: "\n").last.map(String.init))
        let show = try installation.outbox(["dkim", "show", "--domain", "firma.ee", "--selector", "s1", "--json"])
        let text = try #require((try show.json() as? [String: Any])?["dnsText"] as? String)
        try body(installation, dns, text, zoneLine)
    }

    private func doctor(_ installation: DoctorCommandTests.Installation, resolver: String) throws -> (status: Int32, finding: [String: String]?, output: String) {
        let config = try installation.workspace.write("outbox.conf", "[dkim]\nsign-modes = none\n[dns]\nresolver = \(resolver)\n")
        let result = try installation.doctor(config: config, timeout: 10)
        return (result.status, result.findings["dkim s1._domainkey.firma.ee"], result.output)
    }

    @Test func aPublishedMatchingRecordIsOK() throws {
        try withKey { installation, dns, text, _ in
            try dns.set(["s1._domainkey.firma.ee": [.init(text)]])
            let doctor = try doctor(installation, resolver: dns.address)
            #expect(doctor.finding?["status"] == "ok", "\(doctor.output)")
            #expect(doctor.finding?["detail"]?.contains("signing rsa-sha256 key is published") == true, "\(doctor.output)")
            #expect(try dns.queries("s1._domainkey.firma.ee") >= 1)
        }
    }

    @Test func aMissingRecordIsAProblemWhoseFixIsTheRecordToPublish() throws {
        try withKey { installation, dns, _, zoneLine in
            try dns.set(["firma.ee": [.init("v=spf1 -all")]])
            let doctor = try doctor(installation, resolver: dns.address)
            #expect(doctor.status == 2)
            #expect(doctor.finding?["status"] == "problem", "\(doctor.output)")
            #expect(doctor.finding?["detail"]?.contains("not published") == true, "\(doctor.output)")
            #expect(doctor.finding?["fix"] == "publish this DNS record: \(zoneLine)", "\(doctor.output)")
        }
    }

    @Test func anotherPublishedKeyIsAProblem() throws {
        try withKey { installation, dns, text, zoneLine in
            let other = text.replacingOccurrences(of: "p=MII", with: "p=MIJ")
            try dns.set(["s1._domainkey.firma.ee": [.init(other)]])
            let doctor = try doctor(installation, resolver: dns.address)
            #expect(doctor.status == 2)
            #expect(doctor.finding?["status"] == "problem", "\(doctor.output)")
            #expect(doctor.finding?["detail"]?.contains("a different key is published") == true, "\(doctor.output)")
            #expect(doctor.finding?["fix"]?.contains(zoneLine) == true)
        }
    }

    @Test func aResolverThatDoesNotAnswerIsAWarningWithTheRecord() throws {
        try withKey { installation, dns, _, zoneLine in
            let address = dns.address
            dns.stop()
            let started = Date()
            let doctor = try doctor(installation, resolver: address)
            #expect(doctor.finding?["status"] == "warning", "\(doctor.output)")
            #expect(doctor.finding?["detail"]?.contains(zoneLine) == true, "\(doctor.output)")
            #expect(Date().timeIntervalSince(started) < 20)
        }
    }
}
