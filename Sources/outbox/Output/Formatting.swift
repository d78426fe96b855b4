import Foundation
import OutboxStore

/// Human and machine renderings shared by the commands.
enum Formatting {
    /// `2026-11-23 11:05:00Z` for a Unix-milliseconds time.
    static func time(_ milliseconds: Int64?) -> String {
        guard let milliseconds else { return "-" }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withSpaceBetweenDateAndTime]
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000)) + "Z"
    }

    /// `3d 4h`, `12m 5s`, `40s` for an age in milliseconds.
    static func age(_ milliseconds: Int64) -> String {
        var seconds = max(0, milliseconds / 1000)
        let days = seconds / 86_400; seconds %= 86_400
        let hours = seconds / 3600; seconds %= 3600
        let minutes = seconds / 60; seconds %= 60
        if days > 0 { return "\(days)d \(hours)h" }
        if hours > 0 { return "\(hours)h \(minutes)m" }
        if minutes > 0 { return "\(minutes)m \(seconds)s" }
        return "\(seconds)s"
    }

    /// Prints a value as one JSON document on stdout (sorted keys, times in Unix milliseconds).
    static func printJSON<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// Pads columns for a plain-text table.
    static func table(_ rows: [[String]]) -> String {
        guard let width = rows.map(\.count).max() else { return "" }
        var widths = [Int](repeating: 0, count: width)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// Cuts text to `length` characters with an ellipsis.
    static func clip(_ text: String, _ length: Int) -> String {
        text.count <= length ? text : String(text.prefix(length - 1)) + "…"
    }

    /// One line for an event.
    static func event(_ event: EventRecord) -> String {
        var parts = ["#\(event.id)", time(event.at), event.kind]
        if let message = event.messageID { parts.append("message=\(message)") }
        if let batch = event.batchID { parts.append("batch=\(batch)") }
        if let owner = event.owner { parts.append("owner=\(owner)") }
        if let recipient = event.recipient { parts.append("rcpt=\(recipient)") }
        if let code = event.code { parts.append("code=\(code)\(event.enhancedCode.map { " \($0)" } ?? "")") }
        if let reason = event.reason { parts.append("reason=\(reason)\(event.severity.map { " (\($0))" } ?? "")") }
        if let detail = event.detail { parts.append("— \(detail)") }
        return parts.joined(separator: " ")
    }
}
