import Logging

/// Renders metadata values for output, hiding any whose key names a secret
/// (`password`, `secret`, `token`, `credential-value`): a last line of defence, not a licence to log them.
enum LogRedaction {
    static let placeholder = "<redacted>"

    static func render(key: String, value: Logger.MetadataValue) -> String {
        isSecret(key) ? placeholder : render(value)
    }

    /// Whether `key` contains a secret word, ASCII case-insensitively. Compares bytes:
    /// it runs for every metadata key of every log line (String.contains(String) cost a
    /// third of the daemon's CPU per delivered message).
    static func isSecret(_ key: String) -> Bool {
        let lowered = key.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        return secretWords.contains { word in
            lowered.count >= word.count
                && (0...(lowered.count - word.count)).contains { lowered[$0..<$0 + word.count].elementsEqual(word) }
        }
    }

    private static let secretWords = ["password", "passwd", "secret", "token", "authorization"].map { Array($0.utf8) }

    private static func render(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        case .array(let items): "[" + items.map(render).joined(separator: ", ") + "]"
        case .dictionary(let entries):
            "[" + entries.sorted { $0.key < $1.key }.map { "\($0.key): \(render(key: $0.key, value: $0.value))" }.joined(separator: ", ") + "]"
        }
    }
}
