import Foundation
import OutboxCore

/// The suppression list's key for an address: trimmed, angle brackets dropped, ASCII
/// letters lower-cased (as SQLite's `lower()` does, so SQL and Swift agree), and an
/// internationalised domain in its A-label form, as messages carry it (`juri@pärnu.ee` and
/// `juri@xn--prnu-loa.ee` are one entry).
enum SuppressionAddress {
    static func normalise(_ address: String) -> String {
        let trimmed = address.trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: "<>")))
        var lowered = String(String.UnicodeScalarView(trimmed.unicodeScalars.map { scalar in
            ("A"..."Z").contains(scalar) ? Unicode.Scalar(scalar.value + 32)! : scalar
        }))
        if let at = lowered.lastIndex(of: "@"), IDNA.isInternational(lowered[lowered.index(after: at)...]),
            let domain = try? IDNA.asciiDomain(String(lowered[lowered.index(after: at)...])) {
            lowered = lowered[...at] + domain
        }
        return lowered
    }
}
