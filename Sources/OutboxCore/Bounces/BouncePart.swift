/// One MIME entity of a bounce: its header, content type, and where its (still encoded)
/// body lies in the input.
struct BouncePart {
    var headers: BounceHeaderBlock
    var contentType: BounceContentType
    var body: Range<Int>
    var depth: Int
    /// True for a multipart whose children were not read (no boundary, too deep).
    var isOpaque = false

    var transferEncoding: String? { headers.value("content-transfer-encoding")?.lowercased() }

    /// The body with its transfer encoding removed.
    func decodedBody(in bytes: ArraySlice<UInt8>) -> [UInt8] {
        BounceTransferDecoder.decode(bytes[body], encoding: transferEncoding)
    }
}
