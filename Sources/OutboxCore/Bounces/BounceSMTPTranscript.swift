/// A quoted SMTP session in a notice, as Sendmail (8 and 5), Courier and InterScan write
/// it, read into one reply and command per failed recipient:
///
/// ```
/// While talking to mx.example.org:
/// >>> RCPT To:<a@example.org>          (InterScan: Sent <<< RCPT TO:<a@example.org>)
/// <<< 550 5.1.1 No such user here      (InterScan: Received >>> 550 …)
/// 550 <a@example.org>... User unknown
/// ```
///
/// A reply (`<<<`) belongs to the first recipient line after it; the command sent before
/// it (`>>>`) to the recipients of that session, a `RCPT` only to the address it names. A
/// new session (`While talking to`) or a host's own status line (`550 example.org
/// (smtp)... Host unknown`) starts afresh, so several recipients of one notice each get
/// their own reply.
struct BounceSMTPTranscript {
    struct Entry: Equatable {
        var address: String
        /// The remote server's reply followed by the notice's own line for the address.
        var diagnostic: String
        var command: String?
    }

    private(set) var entries: [Entry] = []

    static let sentPrefixes = [">>> ", "sent <<< "]
    static let receivedPrefixes = ["<<< ", "received >>> "]

    init(_ report: ArraySlice<UInt8>, limits: BounceLimits) {
        // Cheap exit for the notices that quote no session.
        guard Self.receivedPrefixes.contains(where: { BounceBytes.find(Array($0.utf8), in: report) != nil }) else { return }
        var command: String?
        var commandAddress: String?
        var replies: [String] = []
        var byAddress: [String: Int] = [:]
        for range in BounceBytes.lines(report) where entries.count < limits.maxRecipients {
            let line = BounceBytes.trimmed(report[range])
            if let sent = Self.rest(of: line, after: Self.sentPrefixes) {
                command = BounceSMTPCommand.name(at: 0, in: BounceBytes.lowercased(sent.prefix(5)))
                commandAddress = command == BounceSMTPCommand.rcpt
                    ? BounceAddressScanner.addresses(in: sent, limit: 1).first?.lowercased() : nil
                replies = []
                continue
            }
            if let received = Self.rest(of: line, after: Self.receivedPrefixes) {
                let reply = String(decoding: received.prefix(1_000), as: UTF8.self)
                // InterScan writes no line of its own after the reply, which names the
                // address: `Received >>> 550 <a@b>... user unknown`. (Sendmail's `<<<` reply
                // may name the sender: `<<< 501 <sender@b>... no access`.)
                if BounceBytes.hasPrefix(Self.receivedPrefixes[1], line),
                    let (address, _) = BounceTextScanner.sendmailTranscriptAddress(received)
                {
                    record(address, reply: reply, own: nil, command: command, commandAddress: commandAddress, &byAddress)
                } else if replies.count < 5 {
                    replies.append(reply)
                }
                continue
            }
            if BounceBytes.find(Self.whileTalkingTo, in: line) != nil {
                (command, commandAddress, replies) = (nil, nil, [])
                continue
            }
            guard let (address, codeStart) = BounceTextScanner.sendmailTranscriptAddress(line) else {
                if Self.isHostStatus(line) { (command, commandAddress, replies) = (nil, nil, []) }
                continue
            }
            let own = String(decoding: line[codeStart...].prefix(1_000), as: UTF8.self)
            record(address, reply: replies.isEmpty ? nil : replies.joined(separator: " "), own: own, command: command,
                commandAddress: commandAddress, &byAddress)
            replies = []
        }
    }

    private mutating func record(
        _ address: String, reply: String?, own: String?, command: String?, commandAddress: String?,
        _ byAddress: inout [String: Int]
    ) {
        let key = address.lowercased()
        let applies = command != BounceSMTPCommand.rcpt || commandAddress == nil || commandAddress == key
        let diagnostic = [reply, own].compactMap { $0 }.joined(separator: " ")
        if let existing = byAddress[key] {
            // The notice's own line after a reply that named the address: one diagnostic.
            if reply == nil, let own, !entries[existing].diagnostic.contains(own) {
                entries[existing].diagnostic += " " + own
            }
            return
        }
        byAddress[key] = entries.count
        entries.append(Entry(address: address, diagnostic: diagnostic, command: applies ? command : nil))
    }

    static let whileTalkingTo = Array("while talking to".utf8)

    /// The text after the first of `prefixes` that starts `line`.
    static func rest(of line: ArraySlice<UInt8>, after prefixes: [String]) -> ArraySlice<UInt8>? {
        for prefix in prefixes where BounceBytes.hasPrefix(prefix, line) {
            return BounceBytes.trimmed(line.dropFirst(prefix.utf8.count))
        }
        return nil
    }

    /// Sendmail's status line for a host rather than an address: `550 example.org (smtp)... text`.
    static func isHostStatus(_ line: ArraySlice<UInt8>) -> Bool {
        guard line.count > 4, line.prefix(3).allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
        return BounceBytes.find(Array(" (smtp)...".utf8), in: line) != nil
    }
}
