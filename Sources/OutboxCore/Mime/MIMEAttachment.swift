/// A file attached to a ``MIMEMessage``, sent base64-encoded as `Content-Disposition: attachment`.
public struct MIMEAttachment: Hashable, Sendable {
    /// The name the recipient sees; any Unicode (encoded per RFC 2231 when needed).
    public var filename: String
    /// The media type, e.g. `application/pdf`; from the file name when nil or invalid
    /// (see ``MIMEType/forFilename(_:)``).
    public var contentType: String?
    /// The content, sent byte for byte.
    public var data: [UInt8]

    public init(filename: String, contentType: String? = nil, data: [UInt8]) {
        self.filename = filename
        self.contentType = contentType
        self.data = data
    }

    /// The media type written for this attachment.
    public var effectiveContentType: String {
        if let contentType, MIMEType.isValid(contentType) { return contentType }
        return MIMEType.forFilename(filename)
    }
}
