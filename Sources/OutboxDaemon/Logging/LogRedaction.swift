import Logging

/// Renders metadata values for output, hiding any whose key names a secret
/// (`password`, `secret`, `token`, `credential-value`): a last line of defence, not a licence to log them.
enum LogRedaction {
    static let placeholder = "<redacted>"

    static func render(key: String, value: Logger.MetadataValue) -> String {
        isSecret(key) ? placeholder : render(value)
    }

    static func isSecret(_ key: String) -> Bool {
        let lowered = key.lowercased()
        return ["password", "passwd", "secret", "token", "authorization"].contains { lowered.contains($0) }
    }

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
