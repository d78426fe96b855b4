/// Heuristics for the human-readable notices that real servers send instead of (or
/// beside) an RFC 3464 report: recognises the layout, whether it is a delay warning, the
/// failed addresses with their diagnostic paragraph, and an inline copy of the returned
/// message's header. Only the text before the returned copy is searched for recipients.
struct BounceTextScanner {
    private(set) var format: BounceFormat = .genericText
    private(set) var isDelay = false
    /// A phrase that only bounce notices use was found.
    private(set) var hasBouncePhrase = false
    private(set) var recipients: [BounceRecipient] = []
    /// The header of the returned message when the notice quotes it inline.
    private(set) var returnedHeaders: BounceHeaderBlock?

    static let formatPhrases: [(BounceFormat, String)] = [
        (.qmail, "qmail-send program"), (.qmail, "i'm afraid i wasn't able to deliver"),
        (.yahoo, "sorry, we were unable to deliver your message"),
        (.exim, "the following address(es) failed"), (.exim, "smtp error from remote mail server"),
        (.exim, "has not yet been delivered to one or more of its"), (.exim, "mail delivery software"),
        (.postfix, "this is the mail system at host"), (.postfix, "i'm sorry to have to inform you"),
        (.exchange, "delivery has failed to these recipients"), (.exchange, "remote server returned"),
        (.exchange, "did not reach some or all of the intended recipients"),
        (.exchange, "diagnostic information for administrators"),
        (.groupwise, "was undeliverable to the following"),
    ]
    static let genericPhrases = [
        "could not be delivered", "couldn't be delivered", "undeliverable", "delivery failed", "permanent error",
        "unable to deliver", "was not delivered", "failed permanently", "delivery has failed", "could not deliver",
        "not yet been delivered", "message not delivered", "delivery to the following recipient", "returned to sender",
        "delivery status notification",
    ]
    static let delayPhrases = [
        "has not yet been delivered", "have not yet been delivered", "not been delivered yet",
        "delivery attempts will continue", "will continue to try", "will be retried", "will keep trying",
        "still trying", "warning only", "warning message only", "(delay)", "delivery delayed", "message delayed",
        "delayed mail", "will retry", "temporarily deferred", "no action is required on your part",
    ]
    static let permanentPhrases = [
        "permanent error", "i've given up", "failed permanently", "delivery has failed", "has been returned",
        "giving up", "gave up", "will not be retried",
    ]
    static let returnedMarkers = [
        "below this line is a copy of the message", "this is a copy of the message", "this is a copy of your message",
        "original message headers", "----- original message", "original message follows", "--- original message",
        "message headers follow", "------ the header of the original message", "----- message header follows",
        "return-path:",
    ]
    static let recipientPhrases = [
        "your message to ", "could not be delivered to ", "couldn't be delivered to ", "undeliverable to ",
        "not delivered to ", "failed to deliver to ", "unable to deliver to ", "delivery to ",
    ]

    static let recipientPhraseBytes = recipientPhrases.map { Array($0.utf8) }
    static let alternativeBytes = Array("alternative".utf8)

    init(text: [UInt8], subject: String, excluded: Set<String>, limits: BounceLimits) {
        let all = text[...]
        // Where the copy of the returned message starts.
        var reportEnd = all.endIndex
        var markerLineEnd: Int?
        for marker in Self.returnedMarkers {
            if let hit = BounceBytes.find(Array(marker.utf8), in: all), hit < reportEnd {
                var lineStart = hit
                while lineStart > all.startIndex, all[lineStart - 1] != BounceBytes.lf { lineStart -= 1 }
                // `Return-Path:` only counts at the start of a line.
                if marker == "return-path:", !BounceBytes.trimmed(all[lineStart..<hit]).isEmpty { continue }
                reportEnd = lineStart
                var end = hit
                while end < all.endIndex, all[end] != BounceBytes.lf { end += 1 }
                markerLineEnd = marker == "return-path:" ? lineStart : min(end + 1, all.endIndex)
            }
        }
        let report = all[..<reportEnd]
        let loweredSubject = Array(subject.lowercased().utf8)[...]

        if let hit = Self.formatPhrases.first(where: { BounceBytes.find(Array($0.1.utf8), in: report) != nil }) {
            format = hit.0
            hasBouncePhrase = true
        } else {
            hasBouncePhrase = Self.genericPhrases.contains { BounceBytes.find(Array($0.utf8), in: report) != nil }
        }
        let delay = Self.delayPhrases.contains {
            BounceBytes.find(Array($0.utf8), in: report) != nil || BounceBytes.find(Array($0.utf8), in: loweredSubject) != nil
        }
        let permanent = Self.permanentPhrases.contains { BounceBytes.find(Array($0.utf8), in: report) != nil }
        isDelay = delay && !permanent

        readRecipients(report, excluded: excluded, limits: limits)
        if let start = markerLineEnd {
            returnedHeaders = Self.inlineHeaders(all[start...], limits: limits)
        } else if let hit = BounceBytes.find(Array("\nmessage-id:".utf8), in: all) {
            returnedHeaders = BounceHeaderBlock(all[(hit + 1)...], limits: limits)
        }
    }

    /// The header block that follows a marker line, skipping up to 20 lines of decoration.
    private static func inlineHeaders(_ bytes: ArraySlice<UInt8>, limits: BounceLimits) -> BounceHeaderBlock? {
        var position = bytes.startIndex
        for _ in 0..<20 where position < bytes.endIndex {
            let block = BounceHeaderBlock(bytes[position...], limits: limits)
            if block.fields.count >= 2 || block.raw("message-id") != nil { return block }
            while position < bytes.endIndex, bytes[position] != BounceBytes.lf { position += 1 }
            position += 1
        }
        return nil
    }

    private mutating func readRecipients(_ report: ArraySlice<UInt8>, excluded: Set<String>, limits: BounceLimits) {
        let lines = BounceBytes.lines(report)
        var byAddress: [String: Int] = [:]
        var index = 0
        while index < lines.count, recipients.count < limits.maxRecipients {
            if BounceBytes.find(Self.alternativeBytes, in: report[lines[index]]) != nil {
                // GroupWise's "Possible alternatives:" lists addresses that did not fail.
                index += 1
                while index < lines.count, !BounceBytes.trimmed(report[lines[index]]).isEmpty { index += 1 }
                continue
            }
            guard let (address, inline) = Self.recipientLine(report[lines[index]], excluded: excluded) else {
                index += 1
                continue
            }
            var parts = [inline]
            var next = index + 1
            while next < lines.count, next - index <= 30 {
                let line = BounceBytes.trimmed(report[lines[next]])
                if line.isEmpty || Self.recipientLine(report[lines[next]], excluded: excluded) != nil { break }
                parts.append(String(decoding: line, as: UTF8.self))
                next += 1
            }
            index = next
            let text = String(BounceBytes.collapsed(parts.joined(separator: " ")).prefix(2_000))
            let recipient = makeRecipient(address, diagnostic: text.isEmpty ? nil : text)
            let key = address.lowercased()
            if let existing = byAddress[key] {
                let old = recipients[existing]
                let oldHasCode = old.diagnosticCode.flatMap(BounceStatusText.enhancedStatus(in:)) != nil
                    || old.smtpReplyCode != nil
                let newHasCode = recipient.diagnosticCode.flatMap(BounceStatusText.enhancedStatus(in:)) != nil
                    || recipient.smtpReplyCode != nil
                if old.diagnosticCode == nil || (!oldHasCode && newHasCode) {
                    recipients[existing] = recipient
                }
            } else {
                byAddress[key] = recipients.count
                recipients.append(recipient)
            }
        }
        if recipients.isEmpty, hasBouncePhrase {
            // Last resort: every address in the notice that is not the bounce's own.
            for address in BounceAddressScanner.addresses(in: report, limit: 200)
            where !Self.isExcluded(address, excluded) && byAddress[address.lowercased()] == nil {
                byAddress[address.lowercased()] = recipients.count
                recipients.append(makeRecipient(address, diagnostic: nil))
                if recipients.count >= 20 { break }
            }
        }
    }

    private func makeRecipient(_ address: String, diagnostic: String?) -> BounceRecipient {
        let reply = diagnostic.flatMap(BounceStatusText.replyCode(in:))
        let statusClass = reply.map { $0 / 100 } ?? (isDelay ? 4 : 5)
        let status = diagnostic.flatMap(BounceStatusText.enhancedStatus(in:))
            ?? diagnostic.flatMap { BounceStatusText.guessedStatus(from: $0, statusClass: statusClass) }
            ?? EnhancedStatusCode(statusClass: statusClass == 2 ? 5 : statusClass, subject: 0, detail: 0)
        let action: BounceAction = isDelay && status.statusClass != 5 ? .delayed : .failed
        var remote: String?
        if let diagnostic, diagnostic.lowercased().hasPrefix("host ") {
            let host = diagnostic.dropFirst(5).prefix { $0 != " " && $0 != "[" && $0 != ":" }
            remote = host.isEmpty ? nil : String(host)
        }
        return BounceRecipient(
            finalRecipient: address, action: action, status: status, diagnosticCode: diagnostic,
            smtpReplyCode: reply, remoteMTA: remote)
    }

    /// The address a line introduces (`<a@b>: reason`, a line holding only an address,
    /// `a@b (reason)`, `'a@b' on <date>`, `Your message to a@b couldn't be delivered`),
    /// with the text on the same line that belongs to its diagnostic.
    private static func recipientLine(_ raw: ArraySlice<UInt8>, excluded: Set<String>) -> (String, String)? {
        let line = BounceBytes.trimmed(raw)
        guard line.count >= 3, line.count <= 1_000, line.contains(UInt8(ascii: "@")) else { return nil }
        if line.first == UInt8(ascii: "<"), let close = line.firstIndex(of: UInt8(ascii: ">")),
            let address = BounceAddressScanner.exactAddress(line[(line.startIndex + 1)..<close]),
            close + 1 < line.endIndex, line[close + 1] == UInt8(ascii: ":")
        {
            guard !isExcluded(address, excluded) else { return nil }
            return (address, String(decoding: BounceBytes.trimmed(line[(close + 2)...]), as: UTF8.self))
        }
        let tokenEnd = line.firstIndex(where: { $0 == BounceBytes.space || $0 == BounceBytes.tab }) ?? line.endIndex
        if let address = BounceAddressScanner.exactAddress(line[..<tokenEnd]) {
            let rest = BounceBytes.trimmed(line[tokenEnd...])
            let restText = String(decoding: rest, as: UTF8.self)
            if rest.isEmpty || rest.first == UInt8(ascii: "(") || BounceBytes.hasPrefix("on ", rest) {
                guard !isExcluded(address, excluded) else { return nil }
                var inline = rest.first == UInt8(ascii: "(") ? restText : ""
                if inline.hasPrefix("("), inline.hasSuffix(")") { inline = String(inline.dropFirst().dropLast()) }
                return (address, inline)
            }
        }
        for phrase in recipientPhraseBytes {
            guard let hit = BounceBytes.find(phrase, in: line) else { continue }
            let after = line[(hit + phrase.count)...]
            let tokenEnd = after.firstIndex(where: { $0 == BounceBytes.space || $0 == BounceBytes.tab }) ?? after.endIndex
            if let address = BounceAddressScanner.exactAddress(after[..<tokenEnd]), !isExcluded(address, excluded) {
                return (address, String(decoding: BounceBytes.trimmed(after[tokenEnd...]), as: UTF8.self))
            }
        }
        return nil
    }

    static func isExcluded(_ address: String, _ excluded: Set<String>) -> Bool {
        let lowered = address.lowercased()
        return excluded.contains(lowered) || lowered.hasPrefix("mailer-daemon@") || lowered.hasPrefix("postmaster@")
    }
}
