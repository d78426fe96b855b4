/// Looks for a sent message in an IMAP folder by its Message-ID: how Outbox learns whether a
/// message whose outcome is unknown (connection lost after the final ".") was delivered,
/// where the provider files a copy of what it accepted (Gmail keeps one in Sent).
public enum IMAPSentSearch {
    /// Logs in to `endpoint`, selects its folder and returns true when a message with this
    /// `Message-ID` (`<…>`) is in it. Throws a ``MailboxError`` saying what failed (never
    /// the password).
    public static func contains(messageID: String, in endpoint: MailboxEndpoint) throws(MailboxError) -> Bool {
        guard endpoint.kind == .imap else { throw MailboxError(.invalidURL, "a Sent folder can only be searched over IMAP, not \(endpoint.kind.rawValue)") }
        let session = try MailboxSession(endpoint: endpoint, maximumMessageBytes: 64 * 1024)
        defer { session.close() }
        try session.connectOnly()
        let channel = IMAPChannel(session: session, maximumMessageBytes: 64 * 1024)
        defer { channel.logout() }
        try channel.select()
        return try !channel.uids(header: "Message-ID", contains: messageID).isEmpty
    }
}
