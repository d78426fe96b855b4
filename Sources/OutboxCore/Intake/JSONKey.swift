/// A coding key for any JSON object member, so decoders can refuse unknown fields.
struct JSONKey: CodingKey, Hashable {
    let stringValue: String
    let intValue: Int?

    init(_ string: String) {
        stringValue = string
        intValue = nil
    }

    init?(stringValue: String) { self.init(stringValue) }

    init?(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}

extension KeyedDecodingContainer where Key == JSONKey {
    /// Throws a `DecodingError` naming the first member not in `known`.
    func refuseUnknownKeys(_ known: Set<String>) throws {
        for key in allKeys where !known.contains(key.stringValue) {
            throw DecodingError.dataCorrupted(.init(
                codingPath: codingPath + [key],
                debugDescription: "unknown field '\(key.stringValue)'; known fields: \(known.sorted().joined(separator: ", "))"
            ))
        }
    }

    func optional<T: Decodable>(_ type: T.Type, _ name: String) throws -> T? {
        try decodeIfPresent(type, forKey: JSONKey(name))
    }

    /// A whole number; `1.5` is refused with the field named (Foundation's decoder
    /// reports it as "not valid JSON" without a path).
    func optionalWholeNumber(_ name: String) throws -> Int? {
        let decoded: Double?
        do { decoded = try decodeIfPresent(Double.self, forKey: JSONKey(name)) } catch DecodingError.typeMismatch(_, let context) {
            throw DecodingError.typeMismatch(Int.self, context)
        }
        guard let value = decoded else { return nil }
        guard value.rounded() == value, let whole = Int(exactly: value) else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath + [JSONKey(name)],
                                                   debugDescription: "expected a whole number, found \(value)"))
        }
        return whole
    }
}
