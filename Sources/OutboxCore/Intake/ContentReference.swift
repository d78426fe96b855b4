/// A stored attachment content named by its hash: `sha256:` and 64 lower-case hex digits,
/// as `POST /v1/attachments` returns it and a batch's `contentRef` gives it back.
public enum ContentReference {
    /// The reference of a content with this SHA-256 (hex).
    public static func make(sha256: String) -> String { "sha256:" + sha256 }

    /// The hex SHA-256 of a well-formed reference (upper-case hex is accepted), else nil.
    public static func sha256(of reference: String) -> String? {
        guard reference.hasPrefix("sha256:") else { return nil }
        let hex = reference.dropFirst(7).lowercased()
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else { return nil }
        return hex
    }
}
