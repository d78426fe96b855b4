import Foundation
import OutboxCore
import OutboxTestSupport
import Testing

/// The signature against Python's `hmac` (the receiver's side, as the README shows it).
@Suite struct WebhookSignatureTests {
    @Test func matchesPythonsHMACAndRefusesChangesAndOldTimes() throws {
        let secret = "whsec_00112233445566778899aabbccddeeff", body = Array(#"{"id":7,"kind":"bounced"}"#.utf8)
        let header = WebhookSignature.header(secret: secret, timestamp: 1_780_000_000, body: body)
        let python = try ChildProcess.runBlocking("python3", ["-c", "import hmac,hashlib,sys; print(hmac.new(sys.argv[1].encode(), b'1780000000.' + sys.argv[2].encode(), hashlib.sha256).hexdigest())",
                                                              secret, String(decoding: body, as: UTF8.self)])
        let expected = python.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(header == "t=1780000000,v1=\(expected)")
        #expect(WebhookSignature.isValid(header: header, secret: secret, body: body, now: 1_780_000_100))
        #expect(!WebhookSignature.isValid(header: header, secret: secret, body: body + [32], now: 1_780_000_100))
        #expect(!WebhookSignature.isValid(header: header, secret: secret + "x", body: body, now: 1_780_000_100))
        #expect(!WebhookSignature.isValid(header: header, secret: secret, body: body, now: 1_780_000_000 + 301), "a replay after 5 minutes")
    }
}
