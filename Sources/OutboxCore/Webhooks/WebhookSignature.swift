import Crypto

/// The signature on every webhook delivery, shaped like the common mail services':
/// header `Outbox-Signature: t=UNIX,v1=HEX` where HEX is the lowercase hex of
/// HMAC-SHA256 keyed with the endpoint's signing secret (its UTF-8 bytes, `whsec_` prefix
/// included) over `"{t}.{body}"` — the decimal Unix seconds, a dot, the exact body bytes.
/// A receiver recomputes it, compares in constant time and refuses a `t` far from its
/// clock (a replayed delivery).
public enum WebhookSignature {
    /// The request header that carries the signature.
    public static let headerName = "Outbox-Signature"

    /// `t=UNIX,v1=HEX` for `body` sent at `timestamp` (Unix seconds).
    public static func header(secret: String, timestamp: Int64, body: [UInt8]) -> String {
        "t=\(timestamp),v1=\(mac(secret: secret, timestamp: timestamp, body: body).hexString)"
    }

    /// Whether `header` signs `body` with `secret`, at a time within `tolerance` seconds of `now`.
    public static func isValid(header: String, secret: String, body: [UInt8], now: Int64, tolerance: Int64 = 300) -> Bool {
        var timestamp: Int64?
        var signatures: [String] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingPrefix(" ") }
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { timestamp = Int64(pair[1]) } else if pair[0] == "v1" { signatures.append(String(pair[1])) }
        }
        guard let timestamp, abs(now - timestamp) <= tolerance else { return false }
        let expected = Array(mac(secret: secret, timestamp: timestamp, body: body).hexString.utf8)
        return signatures.contains { signature in
            let given = Array(signature.utf8)
            guard given.count == expected.count else { return false }
            return zip(given, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
        }
    }

    private static func mac(secret: String, timestamp: Int64, body: [UInt8]) -> [UInt8] {
        var authenticator = HMAC<Crypto.SHA256>(key: SymmetricKey(data: Array(secret.utf8)))
        authenticator.update(data: Array("\(timestamp).".utf8))
        authenticator.update(data: body)
        return Array(authenticator.finalize())
    }
}
