import Foundation
import GRDB
import OutboxCore

/// A dry run of an enqueue (`outbox enqueue --dry-run`): each message goes through what
/// ``OutboxDatabase/enqueue(batchKey:source:now:attachments:limits:_:)`` does with it —
/// attachment files read against the policy and the size limit and hashed, message keys
/// unique within the batch, the batch not empty — with the same errors, and nothing is
/// stored. Given the outbox (opened read-only), a known batch key and message keys already
/// there are reported as the enqueue would skip them.
///
/// Memory: the keys of the batch are kept (to find one used twice), and the first
/// ``keep`` messages with their attachment bytes, for rendering.
public final class BatchRehearsal {
    /// What the enqueue would do.
    public struct Summary: Sendable, Hashable, Codable {
        /// Messages that would be written.
        public var messages = 0
        /// Their recipients (to, cc and bcc).
        public var recipients = 0
        /// Messages whose key is already in the outbox (skipped by the enqueue).
        public var duplicates = 0
        /// Distinct attachment and inline image contents, and their bytes.
        public var contents = 0
        public var contentBytes = 0
        /// Set when the batch key is already enqueued: the enqueue would change nothing.
        public var knownBatchID: Int64?
    }

    /// A message kept for rendering: the draft and its attachments' bytes.
    public struct Kept: Sendable {
        public let draft: MessageDraft
        public let location: String
        public let attachments: [MIMEAttachment]
    }

    public let keep: Int
    public private(set) var summary = Summary()
    public private(set) var kept: [Kept] = []
    private let outbox: (any EnqueueLookup)?
    private let files: AttachmentFileReader
    private let preparer: AttachmentPreparer
    private var firstLocationByKey: [String: String] = [:]

    /// - Parameters:
    ///   - outbox: the database the batch would go to, if it exists (only read).
    ///   - keep: how many messages to keep for rendering.
    public init(outbox: (any EnqueueLookup)?, attachments: AttachmentPolicy, limits: IntakeLimits = IntakeLimits(), keep: Int) {
        self.outbox = outbox
        self.keep = keep
        files = AttachmentFileReader(policy: attachments, maxBytes: limits.maxMessageBytes)
        preparer = AttachmentPreparer(files: files)
    }

    /// Rehearses one batch: `produce` adds its messages with ``add(_:location:)``. A batch
    /// without messages is refused, as the enqueue refuses it. Unlike the enqueue, the
    /// messages of a batch whose key is known are still checked.
    public func run(batchKey: String?, source: String?, _ produce: () throws -> Void) throws {
        try checkBatchKey(batchKey)
        try produce()
        guard summary.messages + summary.duplicates > 0 else { throw BatchWriter.noMessages(source: source) }
    }

    /// Whether the enqueue would skip the whole batch as already enqueued.
    private func checkBatchKey(_ key: String?) throws {
        guard let key, let outbox else { return }
        summary.knownBatchID = try outbox.batchID(key: key)
    }

    /// Checks one validated message as the enqueue would store it.
    public func add(_ draft: MessageDraft, location: String) throws {
        let prepared = try preparer.prepare(draft, location: location)
        if let key = draft.key {
            if try outbox?.hasMessage(key: key) == true {
                summary.duplicates += 1
                return
            }
            if let first = firstLocationByKey.updateValue(location, forKey: key) {
                throw BatchWriter.keyUsedTwice(key, location: location, first: first)
            }
        }
        summary.messages += 1
        summary.recipients += draft.recipients.count
        for case let content? in prepared.attachments.map(\.content) {
            summary.contents += 1
            summary.contentBytes += content.size
        }
        for (index, source) in draft.attachments.enumerated() {
            if case .stored(let sha) = source.content, kept.count >= keep {
                _ = try storedContent(sha, location: location, field: source.field(index: index) + ".contentRef")
            }
        }
        if kept.count < keep {
            var attachments: [MIMEAttachment] = []
            for (index, source) in draft.attachments.enumerated() {
                let data: [UInt8]
                switch source.content {
                case .inline(let bytes): data = bytes
                case .file(let path): data = try files.read(path, location: location, field: source.field(index: index) + ".path")
                case .stored(let sha): data = try storedContent(sha, location: location, field: source.field(index: index) + ".contentRef")
                }
                attachments.append(MIMEAttachment(filename: source.filename, contentType: source.contentType, data: data, contentID: source.contentID))
            }
            kept.append(Kept(draft: draft, location: location, attachments: attachments))
        }
    }

    /// A content given by reference, read from the outbox as the enqueue would find it;
    /// without an outbox nothing can be referenced.
    private func storedContent(_ sha: String, location: String, field: String) throws -> [UInt8] {
        guard let bytes = try outbox?.storedContent(sha256: sha) else { throw BatchWriter.contentNotStored(sha, location: location, field: field) }
        return bytes
    }
}

/// What a dry run looks up in the outbox the batch would go to, on either store
/// (``OutboxDatabase``, or the PostgreSQL outbox): only reads.
public protocol EnqueueLookup {
    /// The batch enqueued under `key`, or nil.
    func batchID(key: String) throws -> Int64?
    /// Whether a message with this key is in the outbox.
    func hasMessage(key: String) throws -> Bool
    /// A stored attachment content's bytes, or nil when the outbox has none with that hash.
    func storedContent(sha256: String) throws -> [UInt8]?
}

extension OutboxDatabase: EnqueueLookup {
    public func batchID(key: String) throws -> Int64? {
        try pool.read { db in try Int64.fetchOne(db, sql: "SELECT id FROM batch WHERE batch_key = ?", arguments: [key]) }
    }

    public func hasMessage(key: String) throws -> Bool {
        try pool.read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM message WHERE message_key = ?)", arguments: [key]) } ?? false
    }

    public func storedContent(sha256: String) throws -> [UInt8]? {
        let row = try pool.read { db in try Row.fetchOne(db, sql: "SELECT data, encoding, size FROM content WHERE sha256 = ?", arguments: [sha256]) }
        guard let row else { return nil }
        return try StoredBytes.content(row["data"], encoding: row["encoding"], size: row["size"], sha256: sha256)
    }
}
