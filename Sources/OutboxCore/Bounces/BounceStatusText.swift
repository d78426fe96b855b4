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

    /// A status for reason phrases that carry no code, in the given class (4 or 5): the
    /// first reason whose wording matches (Sisimai's `Sisimai::Reason->match` order), as the
    /// RFC 3463 code that names that reason; `nil` when no wording matches or the reason has
    /// no code of its own in that class (spam, policy, relaying …).
    static func guessedStatus(from text: String, statusClass: Int) -> EnhancedStatusCode? {
        let lowered = BounceReasonInput.normalised(text)
        guard let reason = guessOrder.first(where: { BounceReasonPhraseTable.matches($0, lowered) }),
            let (subject, detail) = guessCodes[reason]
        else { return nil }
        let code = EnhancedStatusCode(statusClass: statusClass, subject: subject, detail: detail)
        // Only codes that name the same reason again (4.4.7 expired, but no 5.4.7).
        return BounceReasonStatusTable.reason(of: code) == reason ? code : nil
    }

    private static let guessOrder: [BounceReason] = [
        .mailboxfull, .mesgtoobig, .exceedlimit, .suspend, .userunknown, .filtered, .rejected, .hostunknown,
        .spamdetected, .toomanyconn, .blocked, .securityerror, .systemerror, .networkerror, .expired, .contenterror,
        .hasmoved, .systemfull, .notaccept, .mailererror, .norelaying,
    ]

    private static let guessCodes: [BounceReason: (Int, Int)] = [
        .userunknown: (1, 1), .hostunknown: (1, 2), .hasmoved: (1, 6), .rejected: (1, 8), .filtered: (2, 0),
        .suspend: (2, 1), .mailboxfull: (2, 2), .exceedlimit: (2, 3), .systemerror: (3, 0), .systemfull: (3, 1),
        .notaccept: (3, 2), .mesgtoobig: (3, 4), .networkerror: (4, 4), .expired: (4, 7), .toomanyconn: (5, 3),
        .contenterror: (6, 0), .blocked: (7, 1), .securityerror: (7, 0),
    ]

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
}
