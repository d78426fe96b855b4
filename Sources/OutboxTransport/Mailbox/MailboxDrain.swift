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
}
