/// Caps that keep parsing of untrusted bytes bounded in time and memory.
public struct BounceLimits: Hashable, Sendable {
    /// Bytes of input looked at; anything beyond is ignored (default 10 MiB).
    public var maxInputBytes: Int
    /// MIME parts read in the whole message (default 1,000).
    public var maxParts: Int
    /// Multipart nesting depth (default 10).
    public var maxDepth: Int
    /// Header fields kept per header block (default 1,000).
    public var maxHeaderFields: Int
    /// Bytes kept of one unfolded header value (default 16 KiB).
    public var maxHeaderValueBytes: Int
    /// Recipients reported (default 1,000).
    public var maxRecipients: Int
    /// Bytes of decoded human-readable text scanned by the heuristics (default 256 KiB).
    public var maxScannedTextBytes: Int

    public init(
        maxInputBytes: Int = 10 << 20, maxParts: Int = 1_000, maxDepth: Int = 10,
        maxHeaderFields: Int = 1_000, maxHeaderValueBytes: Int = 16 << 10,
        maxRecipients: Int = 1_000, maxScannedTextBytes: Int = 256 << 10
    ) {
        self.maxInputBytes = maxInputBytes
        self.maxParts = maxParts
        self.maxDepth = maxDepth
        self.maxHeaderFields = maxHeaderFields
        self.maxHeaderValueBytes = maxHeaderValueBytes
        self.maxRecipients = maxRecipients
        self.maxScannedTextBytes = maxScannedTextBytes
    }
}
