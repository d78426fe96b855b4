/// Writes a ``MIMEMessage`` as the bytes of an RFC 5322 / MIME message, ready for SMTP
/// `DATA`: CRLF line ends, no line longer than 998 octets (header lines folded at 76),
/// UTF-8 text.
///
/// Structure: `text/plain` (or `text/html`) alone; `multipart/alternative` for text and
/// HTML; `multipart/related` around the HTML (or the alternative) and its inline images
/// (attachments with a ``MIMEAttachment/contentID``); `multipart/mixed` around all that
/// and the attachments. Text bodies are `7bit` when they can be, else quoted-printable;
/// attachments and images are base64. Inline images without an HTML body (which intake
/// refuses) are written as parts of `multipart/mixed`.
///
/// Output is deterministic: boundaries come from the message id and start with `=_`,
/// which neither encoding (nor a body sent as 7bit) can produce, so no part can contain
/// a delimiter, and composing the same message again gives the same bytes.
public enum MIMEComposer {
    /// The message as bytes.
    public static func compose(_ message: MIMEMessage) -> [UInt8] {
        var writer = HeaderWriter(capacity: estimatedSize(of: message))
        writer.beginField("Date")
        writer.bytes.append(32)
        RFC5322Date.append(message.date, to: &writer.bytes)
        writer.endField()
        writer.beginField("Message-ID")
        writer.bytes.append(contentsOf: " <".utf8)
        appendMessageID(message.messageID, to: &writer.bytes)
        writer.bytes.append(UInt8(ascii: ">"))
        writer.endField()
        writer.addressField("From", [message.from])
        if !message.replyTo.isEmpty { writer.addressField("Reply-To", message.replyTo) }
        if !message.to.isEmpty || message.cc.isEmpty { writer.addressField("To", message.to) }
        if !message.cc.isEmpty { writer.addressField("Cc", message.cc) }
        writer.unstructuredField("Subject", message.subject)
        writer.bytes.append(contentsOf: "MIME-Version: 1.0\r\n".utf8)
        for header in message.headers { writer.unstructuredField(header.name, header.value) }

        let seed = boundarySeed(message.messageID)
        let hasInline = message.htmlBody != nil && message.attachments.contains { $0.contentID != nil }
        let images = hasInline ? message.attachments.filter { $0.contentID != nil } : []
        let attached = hasInline ? message.attachments.filter { $0.contentID == nil } : message.attachments
        if attached.isEmpty {
            writeContent(message, images: images, seed: seed, topLevel: true, to: &writer)
        } else {
            let boundary = "=_mix_" + seed
            writeMultipartHeader("mixed", boundary: boundary, to: &writer)
            if message.textBody != nil || message.htmlBody != nil {
                appendDelimiter(boundary, first: true, to: &writer.bytes)
                writeContent(message, images: images, seed: seed, topLevel: false, to: &writer)
            }
            for (index, attachment) in attached.enumerated() {
                let first = index == 0 && message.textBody == nil && message.htmlBody == nil
                appendDelimiter(boundary, first: first, to: &writer.bytes)
                writeAttachment(attachment, to: &writer)
            }
            appendCloseDelimiter(boundary, to: &writer.bytes)
        }
        if writer.bytes.last != 10 { writer.endField() }
        return writer.bytes
    }

    /// The body; with inline images, a multipart/related of the body and the images (RFC 2387,
    /// its `type` naming the body's type).
    static func writeContent(_ message: MIMEMessage, images: [MIMEAttachment], seed: String, topLevel: Bool, to writer: inout HeaderWriter) {
        guard !images.isEmpty else { return writeBody(message, seed: seed, topLevel: topLevel, to: &writer) }
        let boundary = "=_rel_" + seed
        let root = message.textBody == nil ? "text/html" : "multipart/alternative"
        writeMultipartHeader("related", boundary: boundary, type: root, to: &writer)
        appendDelimiter(boundary, first: true, to: &writer.bytes)
        writeBody(message, seed: seed, topLevel: false, to: &writer)
        for image in images {
            appendDelimiter(boundary, first: false, to: &writer.bytes)
            writeAttachment(image, to: &writer)
        }
        appendCloseDelimiter(boundary, to: &writer.bytes)
    }

    /// The text and/or HTML body: one text part or a multipart/alternative of both.
    static func writeBody(_ message: MIMEMessage, seed: String, topLevel: Bool, to writer: inout HeaderWriter) {
        switch (message.textBody, message.htmlBody) {
        case (let text?, let html?):
            let boundary = "=_alt_" + seed
            writeMultipartHeader("alternative", boundary: boundary, to: &writer)
            appendDelimiter(boundary, first: true, to: &writer.bytes)
            writeText(text, subtype: "plain", topLevel: false, to: &writer)
            appendDelimiter(boundary, first: false, to: &writer.bytes)
            writeText(html, subtype: "html", topLevel: false, to: &writer)
            appendCloseDelimiter(boundary, to: &writer.bytes)
        case (nil, let html?):
            writeText(html, subtype: "html", topLevel: topLevel, to: &writer)
        case (let text, nil):
            writeText(text ?? "", subtype: "plain", topLevel: topLevel, to: &writer)
        }
    }

    /// One `text/*; charset=utf-8` entity. At top level the message must end in CRLF: a
    /// quoted-printable body gets a soft break (so the decoded text is unchanged), a 7bit
    /// body a line break.
    static func writeText(_ text: String, subtype: String, topLevel: Bool, to writer: inout HeaderWriter) {
        var text = text
        text.withUTF8 { body in
            let encoding = TextBodyEncoding.choose(for: body)
            writer.bytes.append(contentsOf: "Content-Type: text/".utf8)
            writer.bytes.append(contentsOf: subtype.utf8)
            writer.bytes.append(contentsOf: "; charset=utf-8\r\nContent-Transfer-Encoding: ".utf8)
            writer.bytes.append(contentsOf: encoding.name.utf8)
            writer.bytes.append(contentsOf: "\r\n\r\n".utf8)
            switch encoding {
            case .sevenBit:
                TextBodyEncoding.appendNormalizingLineBreaks(body, to: &writer.bytes)
            case .quotedPrintable:
                QuotedPrintableEncoder.append(body, to: &writer.bytes)
                if topLevel && writer.bytes.last != 10 { writer.bytes.append(contentsOf: "=\r\n".utf8) }
            }
        }
    }

    /// One base64 attachment entity; an inline image is `inline` with its `Content-ID`.
    static func writeAttachment(_ attachment: MIMEAttachment, to writer: inout HeaderWriter) {
        writer.beginField("Content-Type")
        writer.token(attachment.effectiveContentType.utf8)
        if !attachment.filename.isEmpty { writer.filenameParameter("name", attachment.filename) }
        writer.endField()
        writer.beginField("Content-Disposition")
        writer.token(attachment.contentID == nil ? "attachment".utf8 : "inline".utf8)
        if !attachment.filename.isEmpty { writer.filenameParameter("filename", attachment.filename) }
        writer.endField()
        if let contentID = attachment.contentID {
            writer.beginField("Content-ID")
            writer.token(("<" + contentID + ">").utf8)
            writer.endField()
        }
        writer.bytes.append(contentsOf: "Content-Transfer-Encoding: base64\r\n\r\n".utf8)
        attachment.data.withUnsafeBufferPointer { Base64Encoder.append($0, to: &writer.bytes, lineLength: 76) }
    }

    /// `Content-Type: multipart/…; boundary="…"` and the blank line that ends the headers.
    static func writeMultipartHeader(_ subtype: String, boundary: String, type: String? = nil, to writer: inout HeaderWriter) {
        writer.beginField("Content-Type")
        writer.token(("multipart/" + subtype).utf8)
        if let type { writer.parameter(("type=\"" + type + "\"").utf8) }
        writer.parameter(("boundary=\"" + boundary + "\"").utf8)
        writer.endField()
        writer.bytes.append(contentsOf: "\r\n".utf8)
    }

    /// `--boundary` on a line of its own; the CRLF before it belongs to the delimiter.
    static func appendDelimiter(_ boundary: String, first: Bool, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: first ? "--".utf8 : "\r\n--".utf8)
        bytes.append(contentsOf: boundary.utf8)
        bytes.append(contentsOf: "\r\n".utf8)
    }

    static func appendCloseDelimiter(_ boundary: String, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: "\r\n--".utf8)
        bytes.append(contentsOf: boundary.utf8)
        bytes.append(contentsOf: "--".utf8)
    }

    /// The id as given, with any byte that could break the header written as `_`; a
    /// well-formed id (see ``MessageID/make(token:domain:)``) is unchanged.
    static func appendMessageID(_ id: String, to bytes: inout [UInt8]) {
        guard !id.isEmpty else {
            bytes.append(contentsOf: "missing-id@outbox.invalid".utf8)
            return
        }
        for byte in id.utf8 { bytes.append(MessageID.isSafe(byte) ? byte : UInt8(ascii: "_")) }
    }

    /// 16 hex digits of the FNV-1a hash of the message id.
    static func boundarySeed(_ id: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    static func estimatedSize(of message: MIMEMessage) -> Int {
        var size = 2048 + message.subject.utf8.count * 2
        size += (message.textBody?.utf8.count ?? 0) * 5 / 4
        size += (message.htmlBody?.utf8.count ?? 0) * 5 / 4
        for attachment in message.attachments { size += attachment.data.count * 4 / 3 + attachment.data.count / 38 + 512 }
        return size
    }
}
