import CCurl
import Foundation

/// Raw IMAP commands over a logged-in libcurl connection (``MailboxSession/connectOnly()``),
/// for what libcurl's URL interface cannot say: `BODY.PEEK[]` (read without setting
/// `\Seen`), `CREATE` and `UID MOVE` of single messages. Commands carry no secret; the
/// login was libcurl's.
final class IMAPChannel {
    private let session: MailboxSession
    private let maximumMessageBytes: Int
    private var tagNumber = 0
    private var buffer: [UInt8] = []

    init(session: MailboxSession, maximumMessageBytes: Int) {
        self.session = session
        self.maximumMessageBytes = maximumMessageBytes
    }

    /// `SELECT`s the endpoint's mailbox.
    func select() throws(MailboxError) {
        _ = try command("SELECT \(Self.quoted(session.endpoint.mailbox))", what: "select \(session.endpoint.displayURL)")
    }

    /// UIDs of the messages in the selected mailbox, in ascending order; with `since`, only
    /// those that arrived on or after that day (IMAP `SINCE`, the server's date of arrival).
    func uids(since: Date? = nil) throws(MailboxError) -> [String] {
        let criteria = since.map { "SINCE " + Self.imapDate($0) } ?? "ALL"
        return MailboxResponse.imapSearch(try command("UID SEARCH \(criteria)", what: "list \(session.endpoint.displayURL)").lines)
    }

    /// UIDs of the messages in the selected mailbox whose header field `name` contains
    /// `value` (IMAP `UID SEARCH HEADER`). `value` must not contain quotes, backslashes or
    /// control characters (a Message-ID does not).
    func uids(header name: String, contains value: String) throws(MailboxError) -> [String] {
        guard !value.isEmpty, !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0 == "\"" || $0 == "\\" }) else {
            throw MailboxError(.transport, "cannot search for \(name) '\(value.prefix(80))': it contains characters IMAP cannot quote plainly")
        }
        let response = try command("UID SEARCH HEADER \(name) \(Self.quoted(value))", what: "search \(session.endpoint.displayURL)")
        return MailboxResponse.imapSearch(response.lines)
    }

    /// `7-Mar-2026`, the date form of RFC 3501 search keys (in UTC).
    static func imapDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.day, .month, .year], from: date)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return "\(parts.day ?? 1)-\(months[(parts.month ?? 1) - 1])-\(parts.year ?? 1970)"
    }

    /// The message's bytes, read with `BODY.PEEK[]`: its flags stay as they were.
    func peek(_ uid: String) throws(MailboxError) -> [UInt8] {
        let response = try command("UID FETCH \(uid) (BODY.PEEK[])", what: "fetch message \(uid)")
        if response.oversized {
            throw MailboxError(.messageTooLarge, "message \(uid) is larger than \(maximumMessageBytes) bytes; left in the mailbox")
        }
        guard let literal = response.literals.first else {
            throw MailboxError(.transport, "fetch message \(uid): the server returned no message (deleted meanwhile?)")
        }
        return literal
    }

    /// Creates `folder` unless it exists.
    func ensureFolder(_ folder: String) throws(MailboxError) {
        let quoted = Self.quoted(folder)
        let listed = try command("LIST \"\" \(quoted)", what: "look for folder \(folder)")
        if String(decoding: listed.lines, as: UTF8.self).contains("* LIST ") { return }
        _ = try command("CREATE \(quoted)", what: "create folder \(folder)")
    }

    /// Moves one message to `folder` (RFC 6851 `UID MOVE`).
    func move(_ uid: String, to folder: String) throws(MailboxError) {
        _ = try command("UID MOVE \(uid) \(Self.quoted(folder))", what: "move message \(uid) to \(folder)")
    }

    /// Ends the session politely; errors do not matter any more.
    func logout() {
        _ = try? command("LOGOUT", what: "log out")
    }

    // MARK: - Wire

    private struct Response {
        var lines: [UInt8] = []
        var literals: [[UInt8]] = []
        var oversized = false
    }

    private static func quoted(_ name: String) -> String { "\"\(name)\"" }

    /// Sends `tag text` and reads to the tagged reply; a reply other than OK is an error.
    private func command(_ text: String, what: String) throws(MailboxError) -> Response {
        tagNumber += 1
        let tag = "OB\(tagNumber)"
        try send(Array("\(tag) \(text)\r\n".utf8), what: what)
        var response = Response()
        var position = 0
        while true {
            guard let end = try lineEnd(from: position, what: what) else { continue }
            let line = Array(buffer[position..<end])
            position = end + 2
            if let size = Self.literalSize(line) {
                guard size <= maximumMessageBytes else {
                    // Read past it so the connection stays usable; the caller skips the message.
                    try discard(size, from: position, what: what)
                    response.oversized = true
                    response.lines += line + [13, 10]
                    continue
                }
                try fill(to: position + size, what: what)
                response.literals.append(Array(buffer[position..<(position + size)]))
                position += size
                response.lines += line + [13, 10]
                continue
            }
            response.lines += line + [13, 10]
            if line.starts(with: Array("\(tag) ".utf8)) {
                buffer.removeFirst(position)
                let status = String(decoding: line.dropFirst(tag.utf8.count + 1), as: UTF8.self)
                guard status.uppercased().hasPrefix("OK") else {
                    throw MailboxError(.transport, "\(what) failed: the server answered \(status.prefix(200))")
                }
                return response
            }
        }
    }

    /// The index of the CR of the next CRLF at or after `position`, reading more when needed.
    private func lineEnd(from position: Int, what: String) throws(MailboxError) -> Int? {
        var index = position
        while index + 1 < buffer.count {
            if buffer[index] == 13, buffer[index + 1] == 10 { return index }
            index += 1
        }
        try receive(what: what)
        return nil
    }

    /// `{123}` at the end of a line announces a literal of 123 bytes.
    private static func literalSize(_ line: [UInt8]) -> Int? {
        guard line.last == UInt8(ascii: "}"), let open = line.lastIndex(of: UInt8(ascii: "{")) else { return nil }
        return Int(String(decoding: line[(open + 1)..<(line.count - 1)], as: UTF8.self))
    }

    /// Drops `count` literal bytes starting at `position` from the buffer and the wire.
    private func discard(_ count: Int, from position: Int, what: String) throws(MailboxError) {
        var remaining = count
        while true {
            let available = min(remaining, buffer.count - position)
            buffer.removeSubrange(position..<(position + available))
            remaining -= available
            if remaining == 0 { return }
            try receive(what: what)
        }
    }

    private func fill(to count: Int, what: String) throws(MailboxError) {
        while buffer.count < count { try receive(what: what) }
    }

    private var deadline: Date { Date().addingTimeInterval(session.endpoint.transferTimeout) }

    private func send(_ bytes: [UInt8], what: String) throws(MailboxError) {
        var offset = 0
        let until = deadline
        while offset < bytes.count {
            var sent = 0
            let code = bytes.withUnsafeBytes { raw in
                curl_easy_send(session.handle, raw.baseAddress! + offset, bytes.count - offset, &sent)
            }
            if code == CURLE_AGAIN {
                guard Date() < until else { throw MailboxError(.transport, "\(what): timed out sending") }
                usleep(1000)
                continue
            }
            guard code == CURLE_OK else { throw failure(code, what) }
            offset += sent
        }
    }

    private func receive(what: String) throws(MailboxError) {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let until = deadline
        var pause: UInt32 = 200
        while true {
            var received = 0
            let code = chunk.withUnsafeMutableBytes { raw in curl_easy_recv(session.handle, raw.baseAddress, raw.count, &received) }
            if code == CURLE_AGAIN {
                guard Date() < until else { throw MailboxError(.transport, "\(what): timed out waiting for the server") }
                usleep(pause)
                pause = min(pause * 2, 20_000)
                continue
            }
            guard code == CURLE_OK else { throw failure(code, what) }
            guard received > 0 else { throw MailboxError(.transport, "\(what): the server closed the connection") }
            buffer += chunk[0..<received]
            return
        }
    }

    private func failure(_ code: CURLcode, _ what: String) -> MailboxError {
        let transport = CurlResultMapping.result(code, message: String(cString: curl_easy_strerror(code)))
        return MailboxError(.transport, "\(what) failed: \(transport)", transport: transport)
    }
}
