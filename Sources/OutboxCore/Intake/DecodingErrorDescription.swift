import Foundation

/// Turns a `DecodingError` from the JSON decoder into an ``IntakeError`` with a field path
/// and a reason in the user's words (JSON's names for types, not Swift's).
extension IntakeError {
    public static func from(_ error: any Error, location: String, pathPrefixToDrop: Int = 0) -> IntakeError {
        guard let decoding = error as? DecodingError else {
            return IntakeError(.syntax, location: location, field: nil, "invalid JSON: \(error)")
        }
        func path(_ keys: [any CodingKey]) -> String? {
            var text = ""
            for key in keys.dropFirst(pathPrefixToDrop) {
                if let index = key.intValue { text += "[\(index)]" } else { text += text.isEmpty ? key.stringValue : "." + key.stringValue }
            }
            return text.isEmpty ? nil : text
        }
        switch decoding {
        case .typeMismatch(let type, let context):
            return IntakeError(.wrongType, location: location, field: path(context.codingPath),
                               "expected \(typeName(type))\(found(context.debugDescription).map { ", found \($0)" } ?? "")")
        case .valueNotFound(let type, let context):
            return IntakeError(.wrongType, location: location, field: path(context.codingPath), "expected \(typeName(type)), found null")
        case .keyNotFound(let key, let context):
            return IntakeError(.missingField, location: location, field: path(context.codingPath + [key]), "'\(key.stringValue)' is required")
        case .dataCorrupted(let context):
            let description = context.debugDescription
            if description.hasPrefix("unknown field") {
                return IntakeError(.unknownField, location: location, field: path(context.codingPath), description)
            }
            if description.hasPrefix("expected ") {
                return IntakeError(.wrongType, location: location, field: path(context.codingPath), description)
            }
            // "Parsed JSON number <1.5> does not fit in Int."
            if let open = description.firstIndex(of: "<"), let close = description.firstIndex(of: ">"), open < close,
               description.contains("does not fit") {
                let number = description[description.index(after: open)..<close]
                return IntakeError(.wrongType, location: location, field: path(context.codingPath),
                                   "expected a whole number, found \(number)")
            }
            return IntakeError(.invalidValue, location: location, field: path(context.codingPath), "invalid value")
        @unknown default:
            return IntakeError(.syntax, location: location, field: nil, "invalid JSON")
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type: "a whole number"
        case is Bool.Type: "true or false"
        case is Double.Type: "a number"
        case is [String: String].Type: "an object of strings"
        default:
            "\(type)".hasPrefix("Array") ? "a list" : "\(type)".hasPrefix("Dictionary") ? "an object" : "another kind of value"
        }
    }

    /// The JSON kind the decoder found, from its description ("… but found a string instead.").
    private static func found(_ description: String) -> String? {
        guard let range = description.range(of: "found ") else { return nil }
        let rest = description[range.upperBound...]
        let kind = rest.prefix { $0 != "." }.replacingOccurrences(of: " instead", with: "")
        let words = ["a string", "a number", "number", "string", "an array", "array", "a dictionary", "dictionary", "bool", "a bool", "null", "true", "false"]
        guard words.contains(kind) else { return nil }
        switch kind {
        case "a dictionary", "dictionary": return "an object"
        case "an array", "array": return "a list"
        case "bool", "a bool", "true", "false": return "a boolean"
        case "number": return "a number"
        case "string": return "a string"
        default: return kind
        }
    }
}
