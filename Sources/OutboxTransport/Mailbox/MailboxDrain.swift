import Foundation

/// Reads every message of a bounce mailbox, hands each to a recorder, and deletes (or,
/// over IMAP, moves) a message only after the recorder returned: a message that could not
/// be fetched or recorded stays in the mailbox for the next poll.
public enum MailboxDrain {
    /// What one poll did.
    public struct Result: Sendable, Hashable, Codable {
        /// Messages found in the mailbox.
        public var listed = 0
        /// Messages recorded and then deleted or moved.
        public var recorded = 0
        /// Own-mailbox mode: messages that are not about mail Outbox sent, left untouched and unread.
        public var untouched = 0
        /// Why the poll stopped early, if it did; the rest stay in the mailbox.
        public var stoppedBecause: String?
    }

    /// - Parameters:
    ///   - moveTo: IMAP only: move recorded messages to this folder instead of deleting them.
    ///   - limit: at most this many messages per poll.
    ///   - record: stores one message; `id` is the IMAP UID or POP3 number. Throwing keeps
    ///     the message and ends the poll.
    /// - Throws: ``MailboxError`` when the mailbox cannot be reached or listed at all.
    public static func run(_ endpoint: MailboxEndpoint, moveTo: String? = nil, limit: Int = 1000, maximumMessageBytes: Int = 64 << 20,
                           record: (_ id: String, _ bytes: [UInt8]) throws -> Void) throws(MailboxError) -> Result {
        if let moveTo {
            guard endpoint.kind == .imap else { throw MailboxError(.invalidURL, "POP3 cannot move messages; only delete") }
            guard !moveTo.isEmpty, !moveTo.unicodeScalars.contains(where: { $0.value < 0x20 || $0 == "\"" || $0 == "\\" }) else {
                throw MailboxError(.invalidURL, "folder name '\(moveTo.filter { !$0.isNewline })' contains characters that cannot be used")
            }
        }
        let session = try MailboxSession(endpoint: endpoint, maximumMessageBytes: maximumMessageBytes)
        defer { session.close() }
        let ids = try session.list()
        var result = Result(listed: ids.count)
        var marked = false
        for id in ids.prefix(limit) {
            do throws(MailboxError) {
                let bytes = try session.fetch(id)
                do { try record(id, bytes) } catch {
                    throw MailboxError(.notRecorded, "message \(id) was not recorded: \(error)")
                }
                if let moveTo { try session.move(id, to: moveTo) } else { try session.delete(id); marked = true }
                result.recorded += 1
            } catch {
                result.stoppedBecause = error.reason
                break
            }
        }
        if marked, endpoint.kind == .imap {
            do { try session.expunge() } catch { result.stoppedBecause = result.stoppedBecause ?? error.reason }
        }
        return result
    }

    /// The owner's own inbox: reads every message with `BODY.PEEK[]` (flags stay as they
    /// were), and moves to `folder` (created when missing) only those `take` recorded —
    /// bounces, complaints and auto-replies about mail Outbox sent. Nothing is deleted;
    /// every other message stays where it is, unread if it was.
    ///
    /// Only messages that arrived within `lookback` are read (bounces come back within days
    /// of sending), newest `limit` of them, so a large inbox costs the same every poll.
    ///
    /// - Parameter take: records the message and returns true when it is about Outbox's
    ///   mail; returns false to leave it alone. Throwing keeps it and ends the poll.
    /// - Throws: ``MailboxError`` when the mailbox cannot be reached or listed at all.
    public static func runOwnMailbox(_ endpoint: MailboxEndpoint, folder: String, limit: Int = 1000, lookback: Duration = .seconds(30 * 86_400),
                                     maximumMessageBytes: Int = 64 << 20,
                                     take: (_ id: String, _ bytes: [UInt8]) throws -> Bool) throws(MailboxError) -> Result {
        guard endpoint.kind == .imap else { throw MailboxError(.invalidURL, "own-mailbox mode needs IMAP: POP3 can neither peek nor move") }
        guard !folder.isEmpty, folder != endpoint.mailbox,
              !folder.unicodeScalars.contains(where: { $0.value < 0x20 || $0 == "\"" || $0 == "\\" }) else {
            throw MailboxError(.invalidURL, "folder name '\(folder.filter { !$0.isNewline })' cannot be used")
        }
        let session = try MailboxSession(endpoint: endpoint, maximumMessageBytes: maximumMessageBytes)
        defer { session.close() }
        try session.connectOnly()
        let channel = IMAPChannel(session: session, maximumMessageBytes: maximumMessageBytes)
        defer { channel.logout() }
        try channel.select()
        let ids = try channel.uids(since: Date().addingTimeInterval(-Double(lookback.components.seconds)))
        var result = Result(listed: ids.count)
        var folderReady = false
        for id in ids.suffix(limit) {
            do throws(MailboxError) {
                let bytes: [UInt8]
                do { bytes = try channel.peek(id) } catch where error.code == .messageTooLarge {
                    result.untouched += 1  // no bounce is that large: someone's mail, left alone
                    continue
                }
                let taken: Bool
                do { taken = try take(id, bytes) } catch {
                    throw MailboxError(.notRecorded, "message \(id) was not recorded: \(error)")
                }
                guard taken else { result.untouched += 1; continue }
                if !folderReady { try channel.ensureFolder(folder); folderReady = true }
                try channel.move(id, to: folder)
                result.recorded += 1
            } catch {
                result.stoppedBecause = error.reason
                break
            }
        }
        return result
    }
}
