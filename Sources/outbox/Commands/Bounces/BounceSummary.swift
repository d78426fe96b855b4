import OutboxStore

/// The one-line human rendering of an ingest result.
enum BounceSummary {
    static func line(_ result: BounceIngestResult) -> String {
        if result.duplicate { return "bounce #\(result.bounceID) was already recorded; nothing changed" }
        var parts = ["recorded bounce #\(result.bounceID) (\(result.kind))"]
        if let message = result.messageID {
            parts.append("message \(message) matched by \(result.matchedBy?.rawValue ?? "?")")
        } else {
            parts.append("no matching message")
        }
        parts.append("\(result.events.count) event(s): " + result.events.map { "#\($0.eventID) \($0.kind)\($0.recipient.map { " \($0)" } ?? "")" }.joined(separator: ", "))
        if !result.suppressed.isEmpty { parts.append("suppressed " + result.suppressed.joined(separator: ", ")) }
        return parts.joined(separator: "; ")
    }
}
