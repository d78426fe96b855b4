/// Finds status information in free diagnostic text: an RFC 3463 code (`5.1.1`, also
/// qmail's `(#5.1.1)`), an SMTP reply code (`550`), or failing both, a status guessed from
/// well-known reason phrases.
enum BounceStatusText {
    /// The first `class.subject.detail` standing alone (not inside a longer dotted number
    /// such as an IP address).
    static func enhancedStatus(in text: String) -> EnhancedStatusCode? {
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let startsToken = index == 0 || !(isDigit(bytes[index - 1]) || bytes[index - 1] == UInt8(ascii: "."))
            if startsToken, byte == UInt8(ascii: "2") || byte == UInt8(ascii: "4") || byte == UInt8(ascii: "5"),
                index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: ".")
            {
                var end = index
                while end < bytes.count, end - index < 12, isDigit(bytes[end]) || bytes[end] == UInt8(ascii: ".") { end += 1 }
                var candidate = bytes[index..<end]
                while candidate.last == UInt8(ascii: ".") { candidate = candidate.dropLast() }
                let followedByDigit = end < bytes.count && isDigit(bytes[end])
                if !followedByDigit, let code = EnhancedStatusCode(ascii: candidate) { return code }
                index = end
                continue
            }
            index += 1
        }
        return nil
    }

    /// The first three-digit reply code 2xx/4xx/5xx followed by a space, `-` or the end.
    static func replyCode(in text: String) -> Int? {
        let bytes = Array(text.utf8)
        var index = 0
        while index + 2 < bytes.count {
            let before = index == 0 ? UInt8(ascii: " ") : bytes[index - 1]
            if [UInt8(ascii: "2"), UInt8(ascii: "4"), UInt8(ascii: "5")].contains(bytes[index]),
                isDigit(bytes[index + 1]), isDigit(bytes[index + 2]),
                !isDigit(before), before != UInt8(ascii: "."), before != UInt8(ascii: "#"),
                !(before >= 0x41 && before <= 0x7A)
            {
                let after = index + 3 < bytes.count ? bytes[index + 3] : UInt8(ascii: " ")
                if after == UInt8(ascii: " ") || after == UInt8(ascii: "-") || after == UInt8(ascii: "'") {
                    return Int(bytes[index] - 0x30) * 100 + Int(bytes[index + 1] - 0x30) * 10 + Int(bytes[index + 2] - 0x30)
                }
            }
            index += 1
        }
        return nil
    }

    /// A status for reason phrases that carry no code, in the given class (4 or 5).
    static func guessedStatus(from text: String, statusClass: Int) -> EnhancedStatusCode? {
        let lowered = text.lowercased()
        let table: [(phrases: [String], subject: Int, detail: Int)] = [
            (["user unknown", "unknown user", "no such user", "user not found", "no mailbox", "mailbox not found",
              "does not exist", "doesn't exist", "recipient not found", "couldn't be found", "could not be found",
              "address rejected", "invalid recipient", "unknown recipient", "no such recipient",
              "not a valid", "doesn't have a", "account is disabled", "account has been disabled"], 1, 1),
            (["mailbox full", "mailbox is full", "quota", "insufficient storage", "over the limit"], 2, 2),
            (["host not found", "domain not found", "no such domain", "host unknown", "unrouteable",
              "unroutable", "domain does not exist"], 1, 2),
            (["message too large", "message size exceeds", "too big"], 3, 4),
            (["spam", "blocked", "blacklist", "blocklist", "policy", "denied", "not permitted", "rejected"], 7, 1),
            (["timed out", "timeout", "too long", "expired"], 4, 7),
        ]
        for entry in table where entry.phrases.contains(where: { BounceBytes.contains($0, in: lowered) }) {
            return EnhancedStatusCode(statusClass: statusClass, subject: entry.subject, detail: entry.detail)
        }
        return nil
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
}
