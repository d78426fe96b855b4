/// The per-message secret in a letter's unsubscribe address `unsubscribe+TOKEN@domain` and
/// URL `BASE/TOKEN`: 9 base32 characters of the enqueue time (so the token index grows at
/// its end) and 130 random bits in 26 more, lower case (local parts may be case-folded on
/// the way back). Only the random part makes it unguessable; the time part only orders it.
public enum UnsubscribeToken {
    /// The local part before `+TOKEN` in unsubscribe addresses.
    public static let localPart = "unsubscribe"
    /// Characters in a token.
    public static let length = 35
    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

    /// A new token for a message enqueued at `now` (Unix milliseconds).
    public static func make(now: Int64) -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(length)
        let time = UInt64(bitPattern: now)
        for index in stride(from: 8, through: 0, by: -1) { bytes.append(alphabet[Int((time >> (UInt64(index) * 5)) & 31)]) }
        for _ in 0..<26 { bytes.append(alphabet[Int(generator.next(upperBound: UInt8(32)))]) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `text` lower-cased when it has a token's shape, else nil (a forged or mangled token is
    /// refused before any lookup).
    public static func normalise(_ text: some StringProtocol) -> String? {
        let lowered = text.lowercased()
        guard lowered.utf8.count == length, lowered.utf8.allSatisfy({ alphabet.contains($0) }) else { return nil }
        return lowered
    }
}
