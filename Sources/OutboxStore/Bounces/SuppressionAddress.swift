import Foundation

/// The suppression list's key for an address: trimmed, angle brackets dropped, ASCII
/// letters lower-cased (as SQLite's `lower()` does, so SQL and Swift agree).
enum SuppressionAddress {
    static func normalise(_ address: String) -> String {
        let trimmed = address.trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: "<>")))
        return String(String.UnicodeScalarView(trimmed.unicodeScalars.map { scalar in
            ("A"..."Z").contains(scalar) ? Unicode.Scalar(scalar.value + 32)! : scalar
        }))
    }
}
