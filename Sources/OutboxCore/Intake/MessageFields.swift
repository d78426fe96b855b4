/// One message (or the batch defaults) exactly as written in the input, before merging
/// with batch defaults and validation. Unknown members are refused, so a misspelt
/// `attachements` fails instead of sending an invoice without its PDF.
public struct MessageFields: Decodable, Sendable, Hashable {
    public var key: String?
    public var owner: String?
    public var priority: Int?
    public var subject: String?
    public var text: String?
    public var html: String?
    public var headers: [String: String]?
    public var to: [RecipientField]?
    public var cc: [RecipientField]?
    public var bcc: [RecipientField]?
    public var attachments: [AttachmentField]?
    /// RFC 3339 with offset: not sent before this time (``MessageSchedule``).
    public var notBefore: String?
    /// RFC 3339 with offset: not sent after this time; then the message fails as `expired`.
    public var expiresAt: String?

    static let knownKeys: Set<String> = [
        "key", "owner", "priority", "subject", "text", "html", "headers", "to", "cc", "bcc", "attachments",
        "notBefore", "expiresAt",
    ]

    public init() {}

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: JSONKey.self)
        try container.refuseUnknownKeys(Self.knownKeys)
        try self.init(container)
    }

    init(_ c: KeyedDecodingContainer<JSONKey>) throws {
        key = try c.optional(String.self, "key")
        owner = try c.optional(String.self, "owner")
        priority = try c.optionalWholeNumber("priority")
        subject = try c.optional(String.self, "subject")
        text = try c.optional(String.self, "text")
        html = try c.optional(String.self, "html")
        headers = try c.optional([String: String].self, "headers")
        to = try c.optional([RecipientField].self, "to")
        cc = try c.optional([RecipientField].self, "cc")
        bcc = try c.optional([RecipientField].self, "bcc")
        attachments = try c.optional([AttachmentField].self, "attachments")
        notBefore = try c.optional(String.self, "notBefore")
        expiresAt = try c.optional(String.self, "expiresAt")
    }
}

/// A recipient as written: `"Name <a@b>"`, `"a@b"`, or `{"address": "a@b", "name": "Name"}`.
public struct RecipientField: Decodable, Sendable, Hashable {
    public var address: String
    public var name: String?

    public init(address: String, name: String? = nil) {
        self.address = address
        self.name = name
    }

    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let text = try? single.decode(String.self) {
            address = text
            name = nil
            return
        }
        guard let c = try? decoder.container(keyedBy: JSONKey.self) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                   debugDescription: #"expected an address: a string like "Name <a@example.com>" or an object {"address": …, "name": …}"#))
        }
        try c.refuseUnknownKeys(["address", "name"])
        address = try c.decode(String.self, forKey: JSONKey("address"))
        name = try c.optional(String.self, "name")
    }
}

/// An attachment as written: `{"path": "invoice.pdf"}` or
/// `{"filename": "e-arve.xml", "content": "<base64>", "contentType": "application/xml"}`.
public struct AttachmentField: Decodable, Sendable, Hashable {
    public var path: String?
    public var content: String?
    public var filename: String?
    public var contentType: String?

    public init(path: String? = nil, content: String? = nil, filename: String? = nil, contentType: String? = nil) {
        self.path = path
        self.content = content
        self.filename = filename
        self.contentType = contentType
    }

    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let text = try? single.decode(String.self) {
            path = text
            return
        }
        guard let c = try? decoder.container(keyedBy: JSONKey.self) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                   debugDescription: #"expected an attachment: a path string or an object {"path": …} or {"filename": …, "content": …}"#))
        }
        try c.refuseUnknownKeys(["path", "content", "filename", "contentType"])
        path = try c.optional(String.self, "path")
        content = try c.optional(String.self, "content")
        filename = try c.optional(String.self, "filename")
        contentType = try c.optional(String.self, "contentType")
    }
}
