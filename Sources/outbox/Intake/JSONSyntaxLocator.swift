import Foundation

/// Finds where JSON text stops being valid, as `line L, column C`: Foundation's decoder
/// only says "not valid JSON", its serialiser says "around character N".
enum JSONSyntaxLocator {
    static func describe(_ data: Data, firstLine: Int = 1) -> String? {
        do {
            _ = try JSONSerialization.jsonObject(with: data)
            return nil
        } catch {
            let text = ((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String) ?? "\(error)"
            guard let range = text.range(of: "character "),
                let offset = Int(text[range.upperBound...].prefix { $0.isNumber })
            else { return "invalid JSON: \(text)" }
            var line = firstLine
            var column = 1
            for byte in data.prefix(offset) {
                if byte == UInt8(ascii: "\n") { line += 1; column = 1 } else { column += 1 }
            }
            let reason = text.components(separatedBy: " around").first ?? text
            return "invalid JSON at line \(line), column \(column): \(reason.lowercased())"
        }
    }
}
