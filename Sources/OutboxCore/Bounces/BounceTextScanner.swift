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
    /// The notice's own text (before the returned copy), white space collapsed and cut at
    /// 1,000 characters: the diagnostic of a recipient the notice names without one.
    private(set) var notice: String?

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
        (.sendmail, "transcript of session follows"), (.sendmail, "following addresses had permanent fatal errors"),
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
        // Where Sisimai's Lhost modules (BSD-2-Clause) find the returned copy.
        "returned message --------", "the header of the original message is following",
        "included is a copy of the message header", "original mail as follows", "original mail info",
        "the attachment contains the original mail headers", "content-type: message/rfc822",
        "content-type: text/rfc822-headers",
        "unsent message follows", "no message was collected", "below is a copy of the original message",
        "message text follows:", "the original message headers", "return-path:", "received:",
    ]
    static let recipientPhrases = [
        "your message to ", "could not be delivered to ", "couldn't be delivered to ", "undeliverable to ",
        "not delivered to ", "failed to deliver to ", "unable to deliver to ", "delivery to ",
        "delivering your mail to ", "error delivering to ",
    ]

    static let recipientPhraseBytes = recipientPhrases.map { Array($0.utf8) }
    static let alternativeBytes = Array("alternative".utf8)

    init(text: [UInt8], subject: String, excluded: Set<String>, limits: BounceLimits) {
        let all = text[...]
        // Where the copy of the returned message starts.
        var reportEnd = all.endIndex
        var markerLineEnd: Int?
        for marker in Self.returnedMarkers {
            let pattern = Array(marker.utf8)
            // A header field name only counts at the start of a line.
            let isField = marker.hasSuffix(":") && !marker.contains(" ")
            var from = all.startIndex
            while let hit = BounceBytes.find(pattern, in: all, from: from), hit < reportEnd {
                var lineStart = hit
                while lineStart > all.startIndex, all[lineStart - 1] != BounceBytes.lf { lineStart -= 1 }
                from = hit + pattern.count
                if isField, hit != lineStart { continue }
                reportEnd = lineStart
                var end = hit
                while end < all.endIndex, all[end] != BounceBytes.lf { end += 1 }
                markerLineEnd = isField ? lineStart : min(end + 1, all.endIndex)
                break
            }
        }
        let report = all[..<reportEnd]
        let summary = BounceBytes.collapsed(String(decoding: report.prefix(8_000), as: UTF8.self))
        notice = summary.isEmpty ? nil : String(summary.prefix(1_000))
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
            /// Lines of the paragraph from `next` on that belong to this recipient.
            func paragraph() {
                while next < lines.count, next - index <= 30 {
                    let line = BounceBytes.trimmed(report[lines[next]])
                    if line.isEmpty || Self.isSeparator(line) || Self.isQuotedField(line) { break }
                    // Another address starts another recipient; the same one (Exim's
                    // `RCPT TO:<a@b>` in its paragraph) continues this one.
                    if let other = Self.recipientLine(report[lines[next]], excluded: excluded),
                        other.0.lowercased() != address.lowercased()
                    {
                        break
                    }
                    parts.append(String(decoding: line, as: UTF8.self))
                    next += 1
                }
            }
            paragraph()
            // The reason may stand in the next paragraph or section (DragonFly, Biglobe),
            // or after a `because:` paragraph (Domino).
            var peeked = false, crossedSeparator = false
            for _ in 0..<2 where !crossedSeparator && (parts.allSatisfy(\.isEmpty)
                || (parts.last?.hasSuffix(":") == true && !Self.hasCode(parts.joined(separator: " "))))
            {
                var peek = next
                while peek < lines.count, peek - next < 3,
                    case let line = BounceBytes.trimmed(report[lines[peek]]), line.isEmpty || Self.isSeparator(line)
                {
                    crossedSeparator = crossedSeparator || !line.isEmpty
                    peek += 1
                }
                guard peek > next, peek < lines.count, Self.recipientLine(report[lines[peek]], excluded: excluded) == nil,
                    BounceBytes.find(Self.alternativeBytes, in: report[lines[peek]]) == nil
                else { break }
                next = peek
                peeked = true
                paragraph()
            }
            index = next
            var text = String(BounceBytes.collapsed(parts.joined(separator: " ")).prefix(2_000))
            // A borrowed paragraph without a code, where the notice has one elsewhere (MailMarshal
            // writes the reason before the list), or a bare heading: the notice says more.
            if peeked, !Self.hasCode(text), text.hasSuffix(":") || notice.map(Self.hasCode) == true {
                text = ""
            }
            let recipient = makeRecipient(address, diagnostic: text.isEmpty ? notice : text)
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
        if recipients.count > 1, let notice {
            // The notice as a whole cannot tell which of several recipients it explains.
            for index in recipients.indices where recipients[index].diagnosticCode == notice {
                recipients[index] = makeRecipient(recipients[index].finalRecipient, diagnostic: nil)
            }
        }
        if recipients.isEmpty, hasBouncePhrase {
            // Last resort: every address in the notice that is not the bounce's own.
            for address in BounceAddressScanner.addresses(in: report, limit: 200)
            where !Self.isExcluded(address, excluded) && Self.isMailbox(address) && byAddress[address.lowercased()] == nil {
                byAddress[address.lowercased()] = recipients.count
                recipients.append(makeRecipient(address, diagnostic: nil))
                if recipients.count >= 20 { break }
            }
        }
    }

    func makeRecipient(_ address: String, diagnostic: String?) -> BounceRecipient {
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

    /// The address a line introduces, with the text on the same line that belongs to its
    /// diagnostic. Layouts (after a leading `>>>`, `--`, `*` or `-` bullet):
    /// - `<a@b>: reason` (Postfix, qmail);
    /// - `550 5.1.1 <a@b>... reason` (Sendmail's own transcript lines, also behind a
    ///   `Received >>>` prefix as InterScan writes them);
    /// - `RCPT TO:<a@b>` (a quoted SMTP session);
    /// - a line that starts with the address: `a@b`, `a@b: reason`, `a@b (reason)`,
    ///   `a@b [reason]`, `a@b ... reason`, `a@b <a@b>`, `a@b on <date>`, `a@b reason`;
    /// - `Label: a@b` where the label names a recipient (`Recipient:`, `Unknown user:`,
    ///   `Invalid final delivery userid:`, `RCPT TO:`, `Did not reach the following
    ///   recipient:`, `Could not be delivered to:`);
    /// - `Your message to a@b couldn't be delivered` and similar phrases.
    private static func recipientLine(_ raw: ArraySlice<UInt8>, excluded: Set<String>) -> (String, String)? {
        var line = BounceBytes.trimmed(raw)
        guard line.count >= 3, line.count <= 1_000, line.contains(UInt8(ascii: "@")) else { return nil }
        line = withoutBullet(line)
        func accept(_ address: String, _ rest: ArraySlice<UInt8>) -> (String, String)? {
            guard !isExcluded(address, excluded, allowingPostmaster: true), isMailbox(address) else { return nil }
            return (address, String(decoding: BounceBytes.trimmed(rest), as: UTF8.self))
        }
        if line.first == UInt8(ascii: "<"), let close = line.firstIndex(of: UInt8(ascii: ">")),
            let address = BounceAddressScanner.exactAddress(line[(line.startIndex + 1)..<close]),
            close + 1 < line.endIndex, line[close + 1] == UInt8(ascii: ":")
        {
            return accept(address, line[(close + 2)...])
        }
        if let (address, codeStart) = sendmailTranscriptAddress(line) {
            return accept(address, line[codeStart...])
        }
        if let hit = BounceBytes.find(rcptToBytes, in: line) {
            var start = hit + rcptToBytes.count
            while start < line.endIndex, line[start] == BounceBytes.space { start += 1 }
            let end = line[start...].firstIndex(where: { $0 == UInt8(ascii: ">") || $0 == BounceBytes.space }) ?? line.endIndex
            if let address = BounceAddressScanner.exactAddress(line[start..<min(end + 1, line.endIndex)]) {
                return accept(address, line[min(end + 1, line.endIndex)...])
            }
        }
        let tokenEnd = line.firstIndex(where: { $0 == BounceBytes.space || $0 == BounceBytes.tab }) ?? line.endIndex
        if let address = BounceAddressScanner.exactAddress(line[..<tokenEnd]) {
            var rest = BounceBytes.trimmed(line[tokenEnd...])
            if let close = rest.first == UInt8(ascii: "(") ? rest.lastIndex(of: UInt8(ascii: ")")) : nil {
                rest = rest[(rest.startIndex + 1)..<close]  // `a@b (reason)`
            } else if rest.first == UInt8(ascii: "<"), let close = rest.firstIndex(of: UInt8(ascii: ">")),
                BounceAddressScanner.exactAddress(rest[...close])?.lowercased() == address.lowercased()
            {
                rest = rest[(close + 1)...]  // `a@b <a@b>`
            } else if BounceBytes.hasPrefix("on ", rest) {
                rest = rest[rest.endIndex...]  // `'a@b' on <date>`
            }
            while let first = rest.first, first == UInt8(ascii: ".") || first == BounceBytes.space { rest = rest.dropFirst() }
            return accept(address, rest)
        }
        if let (address, rest) = labelledAddress(line) {
            return accept(address, rest)
        }
        for phrase in recipientPhraseBytes {
            guard let hit = BounceBytes.find(phrase, in: line) else { continue }
            let after = line[(hit + phrase.count)...]
            let tokenEnd = after.firstIndex(where: { $0 == BounceBytes.space || $0 == BounceBytes.tab }) ?? after.endIndex
            if let address = BounceAddressScanner.exactAddress(after[..<tokenEnd]), let found = accept(address, after[tokenEnd...]) {
                return found
            }
        }
        return nil
    }

    static let rcptToBytes = Array("rcpt to:".utf8)

    /// A section rule such as `----- Non-delivered information -----` or `=====`.
    static func isSeparator(_ line: ArraySlice<UInt8>) -> Bool {
        guard line.count >= 3, let first = line.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "=") || first == UInt8(ascii: "|") else {
            return false
        }
        return line.prefix(3).allSatisfy { $0 == first }
    }

    /// A header field of the original message quoted in the notice (`Subject: …`,
    /// `From: a@b`), not a transcript line that starts like one (indimail's
    /// `From: <a@b> RCPT: <c@d> … does not like recipient.`).
    static func isQuotedField(_ line: ArraySlice<UInt8>) -> Bool {
        if quotedFieldNames.contains(where: { BounceBytes.hasPrefix($0, line) }) { return true }
        guard let name = quotedAddressFieldNames.first(where: { BounceBytes.hasPrefix($0, line) }) else { return false }
        return !line.dropFirst(name.utf8.count).contains(UInt8(ascii: ":"))
    }

    static let quotedFieldNames = ["subject:", "date:", "message-id:", "sent date:"]
    static let quotedAddressFieldNames = ["from:", "to:", "cc:"]

    /// Whether `text` holds an SMTP reply code or an enhanced status code.
    static func hasCode(_ text: String) -> Bool {
        BounceStatusText.enhancedStatus(in: text) != nil || BounceStatusText.replyCode(in: text) != nil
    }
    /// Words in a `Label:` that name the recipient rather than the sender.
    static let recipientLabelWords = [
        "recipient", "user", "rcpt", "address", "mailbox", "delivered to", "deliver to", "addressee", "destination",
        "account",
    ].map { Array($0.utf8) }
    static let senderLabelWords = ["from", "sender", "reply", "cc", "return", "envelope"].map { Array($0.utf8) }

    /// `>>> `, `-- `, `* `, `- `, `• ` before the text of a line.
    private static func withoutBullet(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var rest = line
        while let first = rest.first, first == UInt8(ascii: ">") || first == UInt8(ascii: "-") || first == UInt8(ascii: "*") {
            rest = rest.dropFirst()
        }
        if BounceBytes.hasPrefix("\u{2022}", rest) { rest = rest.dropFirst(3) }
        guard rest.count < line.count, let first = rest.first, first == BounceBytes.space || first == BounceBytes.tab else {
            return line
        }
        return BounceBytes.trimmed(rest)
    }

    /// Sendmail's `NNN[ X.Y.Z] <a@b>... text`: the address and where the reply code starts.
    private static func sendmailTranscriptAddress(_ line: ArraySlice<UInt8>) -> (String, Int)? {
        guard let dots = BounceBytes.find(Array(">...".utf8), in: line),
            let open = line[..<dots].lastIndex(of: UInt8(ascii: "<")),
            let address = BounceAddressScanner.exactAddress(line[(open + 1)..<dots])
        else { return nil }
        // A three-digit reply code before the address, at the start or after `>>> `/`<<< `.
        var index = line.startIndex
        while index + 3 <= open {
            let isCode = (0..<3).allSatisfy { line[index + $0] >= 0x30 && line[index + $0] <= 0x39 }
            let atWordStart = index == line.startIndex || line[index - 1] == BounceBytes.space
            if isCode, atWordStart, index + 3 < line.endIndex, line[index + 3] == BounceBytes.space || line[index + 3] == UInt8(ascii: "-") {
                return (address, index)
            }
            index += 1
        }
        return nil
    }

    /// `Label: a@b rest` where the label names a recipient (see ``recipientLabelWords``).
    private static func labelledAddress(_ line: ArraySlice<UInt8>) -> (String, ArraySlice<UInt8>)? {
        guard let colon = line.prefix(120).firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex else { return nil }
        let label = line[..<colon]
        guard recipientLabelWords.contains(where: { BounceBytes.find($0, in: label) != nil }),
            !senderLabelWords.contains(where: { BounceBytes.find($0, in: label) != nil })
        else { return nil }
        var value = BounceBytes.trimmed(line[(colon + 1)...])
        if BounceBytes.hasPrefix("rfc822;", value) { value = BounceBytes.trimmed(value.dropFirst(7)) }
        let tokenEnd = value.firstIndex(where: { $0 == BounceBytes.space || $0 == BounceBytes.tab }) ?? value.endIndex
        guard let address = BounceAddressScanner.exactAddress(value[..<tokenEnd]) else { return nil }
        return (address, value[tokenEnd...])
    }

    /// An address a message can be delivered to, not a file or pipe of a local alias
    /// (`/home/u/.forward@host`, `|/usr/bin/prog`).
    static func isMailbox(_ address: String) -> Bool {
        guard let first = address.utf8.first else { return false }
        return first != UInt8(ascii: "/") && first != UInt8(ascii: "|")
    }

    /// Whether `address` is the bounce's own (its From, Sender, Reply-To, or where it was
    /// delivered) or a mailer daemon; `postmaster@` too unless a recipient line names it
    /// (a postmaster mailbox can fail like any other).
    static func isExcluded(_ address: String, _ excluded: Set<String>, allowingPostmaster: Bool = false) -> Bool {
        let lowered = address.lowercased()
        return excluded.contains(lowered) || lowered.hasPrefix("mailer-daemon@")
            || (!allowingPostmaster && lowered.hasPrefix("postmaster@"))
    }
}
