import Foundation
import Testing
@testable import OutboxCore

/// The signer's pieces against RFC 8463's worked example (Ed25519 is deterministic, so the
/// RFC's signature is reproduced byte for byte), and the structure of produced fields.
@Suite struct DKIMSignerTests {
    /// RFC 8463 Appendix A.1 and A.2: the Ed25519 key (seed) and the example message.
    static let rfc8463Seed = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A="
    static let rfc8463Message = Array("""
        From: Joe SixPack <joe@football.example.com>\r
        To: Suzie Q <suzie@shopping.example.net>\r
        Subject: Is dinner ready?\r
        Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r
        Message-ID: <20030712040037.46341.5F8J@football.example.com>\r
        \r
        Hi.\r
        \r
        We lost the game.  Are you hungry yet?\r
        \r
        Joe.\r

        """.utf8)

    static func ed25519Key() throws -> DKIMPrivateKey {
        try DKIMPrivateKey(algorithm: .ed25519SHA256, storedBytes: Array(Data(base64Encoded: rfc8463Seed)!))
    }

    /// RFC 8463 A.2: the public key `p=` and the body hash `bh=`.
    @Test func rfc8463PublicKeyAndBodyHash() throws {
        #expect(try Self.ed25519Key().publicKeyBase64 == "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
        let block = Self.rfc8463Message.withUnsafeBufferPointer { DKIMHeaderBlock($0) }
        let bodyHash = Self.rfc8463Message.withUnsafeBufferPointer { DKIMSigner.bodyHash(UnsafeBufferPointer(rebasing: $0[block.bodyStart...])) }
        #expect(bodyHash == "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=")
    }

    /// RFC 8463 A.3: canonicalising the example's signed fields and its DKIM-Signature (with
    /// an empty b=) and signing with the example key gives the RFC's b= exactly.
    @Test func rfc8463SignatureIsReproduced() throws {
        let signature = """
            DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\r
             d=football.example.com; i=@football.example.com;\r
             q=dns/txt; s=brisbane; t=1528637909; h=from : to :\r
             subject : date : message-id : from : subject : date;\r
             bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r
             b=
            """
        let block = Self.rfc8463Message.withUnsafeBufferPointer { DKIMHeaderBlock($0) }
        var data: [UInt8] = []
        for name in ["From", "To", "Subject", "Date", "Message-ID"] {
            let field = try #require(block.fields(named: name).last)
            data += DKIMCanonicalization.relaxedHeader(Self.rfc8463Message[field.range]) + [13, 10]
        }
        data += DKIMCanonicalization.relaxedHeader(Array(signature.utf8))
        let b = try Self.ed25519Key().sign(data)
        #expect(Data(b).base64EncodedString()
            == "/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11BusFa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==")
    }

    /// The produced field: the documented tags, From over-signed, only present fields
    /// listed, lines within 78 octets, and the whole stays a valid header block.
    @Test func fieldStructure() throws {
        let key = DKIMSigningKey(domain: "football.example.com", selector: "brisbane", privateKey: try Self.ed25519Key())
        let signed = try DKIMSigner.sign(Self.rfc8463Message, keys: [key], time: 1_528_637_909)
        let text = String(decoding: signed, as: UTF8.self)
        let field = String(text[..<text.range(of: "\r\nFrom:")!.lowerBound])
        for line in field.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 78, "\(line)") }
        #expect(!field.contains("\r\n\r\n") && !field.contains("\t"))
        let compact = field.replacingOccurrences(of: "\r\n ", with: "").replacingOccurrences(of: " ", with: "")
        #expect(compact.hasPrefix("DKIM-Signature:v=1;a=ed25519-sha256;c=relaxed/relaxed;d=football.example.com;s=brisbane;t=1528637909;"))
        #expect(compact.contains(";h=from:from:to:subject:date:message-id;bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;b="))
        #expect(signed.suffix(Self.rfc8463Message.count) == Self.rfc8463Message[...])
    }

    /// RSA and Ed25519 both: one field each, RSA first, one body hash.
    @Test func dualSignatureOrder() throws {
        let rsa = DKIMSigningKey(domain: "example.com", selector: "r", privateKey: try DKIMPrivateKey.generate(.rsaSHA256))
        let ed = DKIMSigningKey(domain: "example.com", selector: "e", privateKey: try DKIMPrivateKey.generate(.ed25519SHA256))
        let fields = String(decoding: try DKIMSigner.signatureFields(for: Self.rfc8463Message, keys: [rsa, ed], time: 1), as: UTF8.self)
        let starts = fields.components(separatedBy: "DKIM-Signature:").dropFirst()
        #expect(starts.count == 2)
        #expect(starts.first?.contains("a=rsa-sha256") == true && starts.last?.contains("a=ed25519-sha256") == true)
    }

    @Test func messageWithoutFromIsRefused() throws {
        let key = DKIMSigningKey(domain: "example.com", selector: "e", privateKey: try DKIMPrivateKey.generate(.ed25519SHA256))
        #expect(throws: DKIMError.self) { try DKIMSigner.sign(Array("To: a@b.c\r\n\r\nx\r\n".utf8), keys: [key], time: 1) }
    }

    /// Stored bytes read back into the same key; garbage is an unreadableKey error; the
    /// private key never shows in a description or a dump.
    @Test func keyStorageAndRedaction() throws {
        for algorithm in DKIMAlgorithm.allCases {
            let key = try DKIMPrivateKey.generate(algorithm)
            let read = try DKIMPrivateKey(algorithm: algorithm, storedBytes: key.storedBytes)
            #expect(read.publicKeyBase64 == key.publicKeyBase64)
            var dumped = ""
            dump(key, to: &dumped)
            let secret = Data(key.storedBytes).base64EncodedString()
            #expect(!"\(key)".contains(secret.prefix(16)) && !dumped.contains("backing") && !String(reflecting: key).contains("backing"))
            #expect(throws: DKIMError(.unreadableKey, algorithm == .rsaSHA256
                ? "the stored RSA key is unreadable or shorter than 2048 bits"
                : "the stored Ed25519 key is unreadable (expected 32 bytes)")) {
                try DKIMPrivateKey(algorithm: algorithm, storedBytes: [1, 2, 3])
            }
        }
    }

    /// The TXT record: one string per 255 octets, joined they give the record text.
    @Test func dnsRecordStrings() throws {
        let rsa = try DKIMPrivateKey.generate(.rsaSHA256)
        let record = DKIMDNSRecord(domain: "example.ee", selector: "s2026", algorithm: .rsaSHA256, publicKey: rsa.publicKeyBase64)
        #expect(record.text.utf8.count > 255)
        #expect(record.strings.count == 2 && record.strings.allSatisfy { $0.utf8.count <= 255 } && record.strings.joined() == record.text)
        #expect(record.zoneLine.hasPrefix("s2026._domainkey.example.ee IN TXT \"v=DKIM1; k=rsa; p=MIIBIjAN"))
        let ed = DKIMDNSRecord(domain: "example.ee", selector: "e", algorithm: .ed25519SHA256, publicKey: try Self.ed25519Key().publicKeyBase64)
        #expect(ed.zoneLine == "e._domainkey.example.ee IN TXT \"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\"")
    }

    @Test func names() throws {
        #expect(try DKIMName.domain("Example.EE") == "example.ee")
        #expect(try DKIMName.selector("s2026.mail") == "s2026.mail")
        #expect(try DKIMName.domain("Pärnu.ee") == "xn--prnu-loa.ee")  // an IDN signs as its A-label
        for bad in ["", "example", "pär nu.ee", "xn--a.ee", "-a.ee", "a..ee", "a_b.ee"] {
            #expect(throws: DKIMError.self) { try DKIMName.domain(bad) }
        }
    }
}
