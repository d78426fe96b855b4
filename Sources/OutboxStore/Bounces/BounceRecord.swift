/// One message received at a bounce door, without its raw bytes.
public struct BounceRecord: Sendable, Hashable, Codable {
    public let id: Int64
    /// Unix milliseconds.
    public let receivedAt: Int64
    /// `pipe`, a file name, or the mailbox URL and message id (never credentials).
    public let source: String
    public let size: Int
    /// The parser's verdict and format.
    public let kind: String
    public let format: String
    /// The matched message and how it was matched.
    public let messageID: Int64?
    public let matchedBy: String?
    public let subject: String?
    /// Reasons of its events without repeats, e.g. `mailboxfull/soft, userunknown/hard`.
    public let reasons: String?
}
