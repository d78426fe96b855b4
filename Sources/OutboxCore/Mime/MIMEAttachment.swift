/// A file attached to a ``MIMEMessage``, sent base64-encoded as `Content-Disposition: attachment`;
/// with a ``contentID``, an inline image the HTML body shows (`cid:`), sent in `multipart/related`.
public struct MIMEAttachment: Hashable, Sendable {
    /// The name the recipient sees; any Unicode (encoded per RFC 2231 when needed).
    public var filename: String
    /// The media type, e.g. `application/pdf`; from the file name when nil or invalid
    /// (see ``MIMEType/forFilename(_:)``).
    public var contentType: String?
    /// The content, sent byte for byte.
    public var data: [UInt8]
    /// The id the HTML refers to as `cid:ID`, written as `Content-ID: <ID>`; nil for an attachment.
    /// Checked at intake (``ContentID``).
    public var contentID: String?

    public init(filename: String, contentType: String? = nil, data: [UInt8], contentID: String? = nil) {
        self.filename = filename
        self.contentType = contentType
        self.data = data
        self.contentID = contentID
    }

    /// The media type written for this attachment.
    public var effectiveContentType: String {
        if let contentType, MIMEType.isValid(contentType) { return contentType }
        return MIMEType.forFilename(filename)
    }
}
