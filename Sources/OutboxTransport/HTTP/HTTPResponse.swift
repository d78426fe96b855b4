/// A response: status, header fields and body (at most the request's byte limit).
public struct HTTPResponse: Sendable, Hashable {
    /// The status code, e.g. 200, 404, 503.
    public let status: Int
    /// Header fields of the final response, in order, as (name, value).
    public let headers: [HeaderField]
    public let body: [UInt8]

    /// One response header field.
    public struct HeaderField: Sendable, Hashable {
        public let name: String
        public let value: String
    }

    public init(status: Int, headers: [HeaderField], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of a header field, matched case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The body as UTF-8 text (invalid bytes replaced).
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// 2xx.
    public var isSuccess: Bool { (200...299).contains(status) }
}
