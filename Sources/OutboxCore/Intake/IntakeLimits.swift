/// Size and count limits applied to every message at enqueue. Defaults suit common
/// receiving servers (most refuse messages over 25 MB).
public struct IntakeLimits: Sendable, Hashable {
    /// Text + HTML + attachment bytes (before transfer encoding). Default 25 MiB.
    public var maxMessageBytes: Int = 25 * 1024 * 1024
    /// Recipients (to + cc + bcc) per message. Default 100.
    public var maxRecipients: Int = 100
    /// Subject length in UTF-8 bytes. Default 998.
    public var maxSubjectBytes: Int = 998
    /// Owner and key length in bytes. Default 200.
    public var maxIdentifierBytes: Int = 200
    /// One JSON Lines line (a message with inline base64 attachments). Default 40 MiB.
    public var maxLineBytes: Int = 40 * 1024 * 1024

    public init() {}
}
