import Foundation

/// A JSON answer of the device-code or token endpoint: a success object or an error
/// object (`error`, `error_description`, RFC 6749 §5.2). Holds tokens: not printable.
struct OAuthReply {
    let status: Int
    let fields: [String: Any]

    /// Parses a response body; nil when it is not a JSON object.
    init?(_ response: HTTPResponse) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else { return nil }
        status = response.status
        fields = object
    }

    /// The `error` code when the server reported one.
    var error: String? { string("error") }
    /// The server's human-readable explanation (contains no secrets of ours).
    var errorDescription: String? { string("error_description").map { String($0.prefix(300)) } }

    func string(_ name: String) -> String? {
        guard let value = fields[name] as? String, !value.isEmpty else { return nil }
        return value
    }

    /// A number of seconds sent as a JSON number or as digits.
    func seconds(_ name: String) -> Int? {
        if let number = fields[name] as? NSNumber { return number.intValue }
        if let text = fields[name] as? String { return Int(text) }
        return nil
    }

    /// "invalid_grant: the token was revoked" for messages.
    var errorSummary: String {
        [error, errorDescription].compactMap { $0 }.joined(separator: ": ")
    }
}
