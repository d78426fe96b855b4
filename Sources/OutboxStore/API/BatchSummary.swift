import GRDB

/// A batch as the API shows it: what was enqueued, and where its messages are now.
public struct BatchSummary: Sendable, Hashable, Codable {
    public let id: Int64
    public let key: String?
    /// Where it came from (a file name, `request`).
    public let source: String?
    public let createdAt: Int64
    /// Messages the batch wrote.
    public let enqueued: Int
    /// Messages skipped because their key was already in the outbox.
    public let duplicates: Int
    /// Its messages by state now (`queued`, `sent`, `failed`, …), of the owners asked about.
    public let states: [String: Int]
}

/// A content stored for later reference (`POST /v1/attachments`).
public struct StoredContentReference: Sendable, Hashable, Codable {
    /// `sha256:<hex>`: what a batch gives as `contentRef`.
    public let contentRef: String
    public let sha256: String
    public let size: Int
    /// False when the same content was stored already (nothing new was written).
    public let created: Bool
}
