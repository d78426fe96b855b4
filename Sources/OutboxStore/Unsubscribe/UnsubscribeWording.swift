import Foundation
import OutboxCore

/// The event details and results of an unsubscribe request, the same on every store
/// (``OutboxDatabase/unsubscribe(token:source:now:)`` and PostgreSQL's).
package enum UnsubscribeWording {
    /// The `unsubscribe-ignored` detail of a token no letter carries (`raw` shown printable and cut short).
    package static func unknownToken(_ raw: String, source: UnsubscribeSource) -> String {
        let shown = String(raw.unicodeScalars.filter { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F }.prefix(64))
        let why = UnsubscribeToken.normalise(raw) == nil ? "malformed unsubscribe token" : "unknown unsubscribe token"
        return "\(why) '\(shown)' \(source.text): no letter carries it (forged, mistyped or from another outbox); nothing changed"
    }

    /// The `unsubscribe-ignored` detail of an address that had unsubscribed on `since`.
    package static func already(_ address: String, owner: String, since: Int64, source: UnsubscribeSource) -> String {
        "\(address) already unsubscribed from owner \(owner)'s letters on \(utc(since)); request \(source.text) changed nothing"
    }

    /// The `unsubscribed` detail.
    package static func unsubscribed(_ address: String, owner: String, source: UnsubscribeSource) -> String {
        "\(address) unsubscribed from owner \(owner)'s letters \(source.text); their invoices and other transactional mail still go"
    }

    /// The result of an unknown or malformed token, with its one event.
    package static func unknownResult(eventID: Int64, detail: String) -> UnsubscribeResult {
        UnsubscribeResult(outcome: .unknownToken, owner: nil, messageID: nil, addresses: [], eventIDs: [eventID], detail: detail)
    }

    /// The result for a known token: `added` the addresses newly unsubscribed.
    package static func result(owner: String, messageID: Int64, addresses: [String], added: [String], eventIDs: [Int64],
                               details: [String]) -> UnsubscribeResult {
        UnsubscribeResult(outcome: added.isEmpty ? .alreadyUnsubscribed : .unsubscribed, owner: owner, messageID: messageID,
                          addresses: addresses, eventIDs: eventIDs, detail: details.joined(separator: "; "))
    }

    private static func utc(_ milliseconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }
}
