/// A custom header an application adds to its messages, e.g. `X-Invoice-Number: 2026-0042`.
///
/// Headers that Outbox writes itself (From, To, Subject, Message-ID, MIME fields, …) are
/// refused here so a batch cannot override or duplicate them.
public struct HeaderField: Hashable, Sendable {
    public let name: String
    public let value: String

    /// Names Outbox composes itself; a batch may not set them as custom headers.
    public static let reservedNames: Set<String> = [
        "from", "sender", "to", "cc", "bcc", "reply-to", "subject", "date", "message-id",
        "mime-version", "content-type", "content-transfer-encoding", "content-disposition",
        "return-path", "received", "dkim-signature",
    ]

    /// Validates and makes a header field. Throws ``HeaderFieldError``.
    public init(name: String, value: String) throws(HeaderFieldError) {
        guard !name.isEmpty, name.utf8.count <= 76,
            name.utf8.allSatisfy({ $0 >= 33 && $0 <= 126 && $0 != UInt8(ascii: ":") })
        else {
            throw HeaderFieldError(.invalidName, "header name '\(name)' must be 1-76 printable ASCII characters without ':'")
        }
        guard !Self.reservedNames.contains(name.lowercased()) else {
            throw HeaderFieldError(.reservedName, "header '\(name)' is set by Outbox and cannot be given as a custom header")
        }
        try Self.checkValue(value, field: "header '\(name)'")
        self.name = name
        self.value = value
    }

    /// Refuses CR, LF and other control characters (header injection) in any header value.
    public static func checkValue(_ value: String, field: String, maxBytes: Int = 4096) throws(HeaderFieldError) {
        for scalar in value.unicodeScalars where scalar.value < 0x20 && scalar != "\t" || scalar.value == 0x7F {
            let what = scalar == "\r" ? "CR" : scalar == "\n" ? "LF" : "control character U+\(String(scalar.value, radix: 16, uppercase: true))"
            throw HeaderFieldError(.injection, "\(field) contains \(what); line breaks are not allowed in header values")
        }
        guard value.utf8.count <= maxBytes else {
            throw HeaderFieldError(.tooLong, "\(field) is longer than \(maxBytes) bytes")
        }
    }
}

/// Why a header name or value is refused.
public struct HeaderFieldError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable { case invalidName, reservedName, injection, tooLong }
    public let code: Code
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { reason }
}
