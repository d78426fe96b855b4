/// Turns a `DecodingError` from the JSON decoder into an ``IntakeError`` with a field path.
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
            return IntakeError(.wrongType, location: location, field: path(context.codingPath), "expected \(typeName(type))")
        case .valueNotFound(let type, let context):
            return IntakeError(.wrongType, location: location, field: path(context.codingPath), "expected \(typeName(type)), found null")
        case .keyNotFound(let key, let context):
            return IntakeError(.missingField, location: location, field: path(context.codingPath + [key]), "'\(key.stringValue)' is required")
        case .dataCorrupted(let context):
            let isUnknown = context.debugDescription.hasPrefix("unknown field")
            var reason = context.debugDescription
            if !isUnknown, let underlying = context.underlyingError { reason = "invalid JSON: \(underlying)" }
            return IntakeError(isUnknown ? .unknownField : .syntax, location: location, field: path(context.codingPath), reason)
        @unknown default:
            return IntakeError(.syntax, location: location, field: nil, "\(decoding)")
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type: "a whole number"
        case is [String: String].Type: "an object of strings"
        default: "\(type)".hasPrefix("Array") ? "a list" : "\(type)"
        }
    }
}
