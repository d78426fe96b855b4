/// What an enqueue did.
public struct EnqueueResult: Sendable, Hashable, Codable {
    /// The batch id (the existing one when the batch key was already known).
    public let batchID: Int64
    public let batchKey: String?
    /// Messages written by this call.
    public let enqueued: Int
    /// Messages skipped because their key was already in the outbox.
    public let duplicates: Int
    /// True when the batch key was already known and nothing was written.
    public let duplicateBatch: Bool
    /// Distinct attachment contents newly stored by this call.
    public let newContents: Int

    public init(batchID: Int64, batchKey: String?, enqueued: Int, duplicates: Int, duplicateBatch: Bool, newContents: Int) {
        self.batchID = batchID
        self.batchKey = batchKey
        self.enqueued = enqueued
        self.duplicates = duplicates
        self.duplicateBatch = duplicateBatch
        self.newContents = newContents
    }
}
