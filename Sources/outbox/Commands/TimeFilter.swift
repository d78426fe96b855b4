import ArgumentParser
import Foundation
import OutboxCore

/// Parses `--since` values: a duration back from now (`2h`, `7d`) or an ISO 8601 time.
enum TimeFilter {
    static func since(_ text: String?, now: Int64) throws -> Int64? {
        guard let text else { return nil }
        if let duration = DurationText.milliseconds(text) { return now - duration }
        let formatter = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime], [.withFullDate]] {
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970 * 1000) }
        }
        throw ValidationError("--since '\(text)' is neither a duration (30m, 2h, 7d) nor an ISO 8601 time (2026-11-23T10:00:00Z)")
    }
}
