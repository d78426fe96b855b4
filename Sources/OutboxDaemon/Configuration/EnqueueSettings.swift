/// `[enqueue]`: what `outbox enqueue` may read on the operator's behalf.
public struct EnqueueSettings: Sendable, Equatable {
    /// Directories attachments may be read from besides the batch file's own
    /// (`attachment-roots`, comma-separated absolute paths); the only ones for stdin.
    public var attachmentRoots: [String] = []

    public init() {}
}
