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
    /// Images the HTML shows by `cid:` (sent in `multipart/related`).
    public var inline: [InlineImageField]?
    /// `transactional` (default), `invoice` or `letter` (``MessageKind``); checked by ``DraftBuilder``.
    public var kind: String?
    /// `true` makes the message a letter (List-Unsubscribe); refused on an invoice.
    public var unsubscribe: Bool?

    /// RFC 3339 with offset: not sent before this time (``MessageSchedule``).
    public var notBefore: String?
    /// RFC 3339 with offset: not sent after this time; then the message fails as `expired`.
    public var expiresAt: String?

    static let knownKeys: Set<String> = [
        "key", "owner", "priority", "subject", "text", "html", "headers", "to", "cc", "bcc", "attachments", "inline",
        "kind", "unsubscribe", "notBefore", "expiresAt",
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
        inline = try c.optional([InlineImageField].self, "inline")
        kind = try c.optional(String.self, "kind")
        unsubscribe = try c.optional(Bool.self, "unsubscribe")
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

/// An attachment as written: `{"path": "invoice.pdf"}`,
/// `{"filename": "e-arve.xml", "content": "<base64>", "contentType": "application/xml"}` or
/// `{"filename": "terms.pdf", "contentRef": "sha256:<hex>"}` (a content uploaded before).
public struct AttachmentField: Decodable, Sendable, Hashable {
    public var path: String?
    public var content: String?
    public var contentRef: String?
    public var filename: String?
    public var contentType: String?

    public init(path: String? = nil, content: String? = nil, contentRef: String? = nil, filename: String? = nil, contentType: String? = nil) {
        self.path = path
        self.content = content
        self.contentRef = contentRef
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
        try c.refuseUnknownKeys(["path", "content", "contentRef", "filename", "contentType"])
        path = try c.optional(String.self, "path")
        content = try c.optional(String.self, "content")
        contentRef = try c.optional(String.self, "contentRef")
        filename = try c.optional(String.self, "filename")
        contentType = try c.optional(String.self, "contentType")
    }
}

/// An inline image as written: `{"path": "logo.png", "cid": "logo"}` or
/// `{"content": "<base64>", "contentType": "image/png", "cid": "logo"}`; the HTML shows it
/// with `src="cid:logo"`.
public struct InlineImageField: Decodable, Sendable, Hashable {
    public var cid: String
    /// Where the bytes come from, as for an attachment (the file name defaults to the cid for `content`).
    public var file: AttachmentField

    public init(cid: String, file: AttachmentField) {
        self.cid = cid
        self.file = file
    }

    public init(from decoder: any Decoder) throws {
        guard let c = try? decoder.container(keyedBy: JSONKey.self) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                   debugDescription: #"expected an inline image: an object {"path": …, "cid": …} or {"content": …, "contentType": …, "cid": …}"#))
        }
        try c.refuseUnknownKeys(["path", "content", "filename", "contentType", "cid"])
        cid = try c.decode(String.self, forKey: JSONKey("cid"))
        file = AttachmentField(path: try c.optional(String.self, "path"), content: try c.optional(String.self, "content"),
                               filename: try c.optional(String.self, "filename"), contentType: try c.optional(String.self, "contentType"))
    }
}
