import OutboxCore

/// The producer side of a pipelined enqueue: validated drafts go in here on the
/// producer thread; their attachments are read and hashed there, and the messages are
/// handed to the writer in chunks, compressed by whichever side has time.
public final class MessageSink: @unchecked Sendable {
    private let queue: HandoffQueue<PipelinedMessage>
    private let preparer: AttachmentPreparer
    private var chunk: [CollectedMessage] = []
    private static let chunkSize = 64
    /// Chunks the writer has waiting from which on this side compresses them: the writer is
    /// the slower side then, and this one would only wait for room.
    static let compressHereFrom = 2

    init(queue: HandoffQueue<PipelinedMessage>, preparer: AttachmentPreparer) {
        self.queue = queue
        self.preparer = preparer
        chunk.reserveCapacity(Self.chunkSize)
    }

    /// Adds one message; throws if its attachments cannot be read or the writer failed.
    public func add(_ draft: MessageDraft, location: String) throws {
        chunk.append(try preparer.collect(draft, location: location))
        if chunk.count == Self.chunkSize { try flush() }
    }

    /// Hands the chunk over. Compressing its bodies and new contents is the largest part of
    /// a message's work after parsing (zlib: ~75k instructions for a 5 KB text body, ~240k
    /// for one of varied words; callgrind); it is done here while the writer has chunks
    /// waiting, and left to the writer while it waits for this side, so either core's
    /// idle time takes it.
    func flush() throws {
        guard !chunk.isEmpty else { return }
        if queue.count >= Self.compressHereFrom {
            try queue.push(chunk.map { .stored($0.stored()) })
        } else {
            try queue.push(chunk.map { .collected($0) })
        }
        chunk.removeAll(keepingCapacity: true)
    }
}

/// A message of a pipelined enqueue on its way to the writer: compressed or not yet.
enum PipelinedMessage: Sendable {
    case collected(CollectedMessage)
    case stored(PreparedMessage)

    /// The message ready to be written, compressing it now if that is still to do.
    func stored() -> PreparedMessage {
        switch self {
        case .collected(let message): message.stored()
        case .stored(let message): message
        }
    }
}
