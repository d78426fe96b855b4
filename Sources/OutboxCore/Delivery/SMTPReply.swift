/// One complete SMTP server reply: the three-digit code, the RFC 3463 enhanced status code
/// when the server sent one, and the text of all its lines.
public struct SMTPReply: Hashable, Sendable, CustomStringConvertible {
    /// The reply code, 200–599 (e.g. 250, 451, 550).
    public let code: Int
    /// The enhanced status code from the first line (`5.1.1`), if present and consistent
    /// with the reply code's class.
    public let enhancedCode: EnhancedStatusCode?
    /// The text after the code (and after the enhanced code), one element per line.
    public let lines: [String]

    public init(code: Int, enhancedCode: EnhancedStatusCode? = nil, lines: [String] = []) {
        self.code = code
        self.enhancedCode = enhancedCode
        self.lines = lines
    }

    /// The lines joined with a space.
    public var text: String { lines.joined(separator: " ") }
    /// 2xx: positive completion.
    public var isPositive: Bool { code / 100 == 2 }
    /// 3xx: positive intermediate (354 after DATA, 334 during AUTH).
    public var isIntermediate: Bool { code / 100 == 3 }
    /// 4xx: transient negative completion.
    public var isTransient: Bool { code / 100 == 4 }
    /// 5xx: permanent negative completion.
    public var isPermanent: Bool { code / 100 == 5 }

    public var description: String {
        var head = String(code)
        if let enhancedCode { head += " \(enhancedCode)" }
        return lines.isEmpty ? head : "\(head) \(text)"
    }
}
