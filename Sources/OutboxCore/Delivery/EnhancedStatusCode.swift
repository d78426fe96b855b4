/// An RFC 3463 enhanced mail system status code, `class.subject.detail`, as in `5.1.1`.
public struct EnhancedStatusCode: Hashable, Sendable, CustomStringConvertible {
    /// 2 (success), 4 (persistent transient failure) or 5 (permanent failure).
    public let statusClass: Int
    /// The subject (0–999): 1 addressing, 2 mailbox, 3 mail system, 4 network, 5 protocol,
    /// 6 content, 7 security or policy.
    public let subject: Int
    /// The detail (0–999).
    public let detail: Int

    public init(statusClass: Int, subject: Int, detail: Int) {
        self.statusClass = statusClass
        self.subject = subject
        self.detail = detail
    }

    /// Parses `class.subject.detail` (class 2, 4 or 5; subject and detail of 1–3 digits).
    public init?(_ text: Substring) {
        self.init(ascii: ArraySlice(text.utf8))
    }

    /// ``init(_:)`` over ASCII bytes.
    public init?(ascii bytes: ArraySlice<UInt8>) {
        var fields = (0, 0, 0)
        var field = 0
        var value = 0
        var digits = 0
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, field < 2 else { return nil }
                if field == 0 { fields.0 = value } else { fields.1 = value }
                field += 1
                value = 0
                digits = 0
            } else if (0x30...0x39).contains(byte), digits < 3 {
                value = value * 10 + Int(byte - 0x30)
                digits += 1
            } else {
                return nil
            }
        }
        guard field == 2, digits > 0, [2, 4, 5].contains(fields.0), fields.0 < 10 else { return nil }
        fields.2 = value
        self.init(statusClass: fields.0, subject: fields.1, detail: fields.2)
    }

    public var description: String { "\(statusClass).\(subject).\(detail)" }
}
