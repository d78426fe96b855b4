/// A custom header an application adds to its messages, e.g. `X-Invoice-Number: 2026-0042`.
///
/// Headers that Outbox writes itself (From, To, Subject, Message-ID, MIME fields, …) are
/// refused here so a batch cannot override or duplicate them, and so are the `X-Outbox-`
/// headers: Outbox matches bounces and complaints by `X-Outbox-Token`, and a message that
/// brought its own could be matched to another message.
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
        guard !name.lowercased().hasPrefix(Self.reservedPrefix) else {
            throw HeaderFieldError(.reservedName, "header '\(name)' is reserved: Outbox uses X-Outbox- headers to match bounces and complaints to messages")
        }
        try Self.checkValue(value, field: "header '\(name)'")
        self.name = name
        self.value = value
    }

    /// Names starting with this (lowercased) are Outbox's own.
    public static let reservedPrefix = "x-outbox-"

    /// Refuses CR, LF and other control characters (header injection) in any header value:
    /// C0 (but tab), DEL, C1 (U+0080–U+009F, NEL among them) and the Unicode line and
    /// paragraph separators U+2028/U+2029, which some readers treat as line breaks.
    public static func checkValue(_ value: String, field: String, maxBytes: Int = 4096) throws(HeaderFieldError) {
        for scalar in value.unicodeScalars where scalar != "\t" && isForbiddenInValue(scalar) {
            let what = scalar == "\r" ? "CR" : scalar == "\n" ? "LF" : "control character U+\(String(scalar.value, radix: 16, uppercase: true))"
            throw HeaderFieldError(.injection, "\(field) contains \(what); line breaks and control characters are not allowed in header values")
        }
        guard value.utf8.count <= maxBytes else {
            throw HeaderFieldError(.tooLong, "\(field) is longer than \(maxBytes) bytes")
        }
    }
}

extension HeaderField {
    /// A control character (C0, DEL, C1) or a Unicode line/paragraph separator.
    public static func isForbiddenInValue(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
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
