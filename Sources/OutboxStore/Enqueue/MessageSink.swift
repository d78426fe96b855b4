import OutboxCore

/// The producer side of a pipelined enqueue: validated drafts go in here on the
/// producer thread; their attachments are read and hashed there, and the messages are
/// handed to the writer in chunks.
public final class MessageSink: @unchecked Sendable {
    private let queue: HandoffQueue<PreparedMessage>
    private let preparer: AttachmentPreparer
    private var chunk: [PreparedMessage] = []
    private static let chunkSize = 64

    init(queue: HandoffQueue<PreparedMessage>, preparer: AttachmentPreparer) {
        self.queue = queue
        self.preparer = preparer
        chunk.reserveCapacity(Self.chunkSize)
    }

    /// Adds one message; throws if its attachments cannot be read or the writer failed.
    public func add(_ draft: MessageDraft, location: String) throws {
        chunk.append(try preparer.prepare(draft, location: location))
        if chunk.count == Self.chunkSize { try flush() }
    }

    func flush() throws {
        guard !chunk.isEmpty else { return }
        try queue.push(chunk)
        chunk.removeAll(keepingCapacity: true)
    }
}
