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
        parts.append("\(result.events.count) event(s): " + result.events.map(Self.entry).joined(separator: ", "))
        if !result.suppressed.isEmpty { parts.append("suppressed " + result.suppressed.joined(separator: ", ")) }
        if !result.senderProblems.isEmpty { parts.append("sender problem for owner " + result.senderProblems.joined(separator: ", ")) }
        return parts.joined(separator: "; ")
    }

    /// `#12 bounced a@example.org (mailboxfull, soft)`.
    private static func entry(_ entry: BounceIngestResult.Entry) -> String {
        let reason = [entry.reason, entry.severity].compactMap { $0 }
        return "#\(entry.eventID) \(entry.kind)\(entry.recipient.map { " \($0)" } ?? "")\(reason.isEmpty ? "" : " (\(reason.joined(separator: ", ")))")"
    }
}
