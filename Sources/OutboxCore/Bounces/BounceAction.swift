/// The RFC 3464 `Action` of one recipient.
public enum BounceAction: String, Hashable, Sendable, CaseIterable {
    case failed, delayed, delivered, relayed, expanded

    /// Parses an `Action` field value, ignoring case and a trailing comment
    /// (`failed (bad address)`).
    init?(fieldValue: String) {
        let word = fieldValue.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "(" }).first
        guard let word, let action = BounceAction(rawValue: word.lowercased()) else { return nil }
        self = action
    }
}
