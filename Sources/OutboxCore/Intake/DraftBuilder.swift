import Foundation

/// Turns input fields into a validated ``MessageDraft``: batch defaults are applied
/// (scalars are overridden by the message, headers merge by name with the message
/// winning, attachments of the batch come first and the message's are added), then
/// every field is checked. Errors name the message and the field.
public struct DraftBuilder: Sendable {
    public let defaults: MessageFields
    public let limits: IntakeLimits
    /// The enqueue time (Unix milliseconds) an `expiresAt` must lie after; nil: not checked.
    public let now: Int64?
    /// The batch's attachments, checked once for all its messages; nil when one of them is
    /// refused (each message then reports it, as it would without this).
    private var defaultSources: [AttachmentSource]? = nil

    public init(defaults: MessageFields, limits: IntakeLimits = IntakeLimits(), now: Int64? = nil) {
        self.defaults = defaults
        self.limits = limits
        self.now = now
        defaultSources = try? (defaults.attachments ?? []).enumerated().map { index, field throws(IntakeError) in
            try attachmentSource(field, field: "attachments[\(index)]") { code, field, reason in
                IntakeError(code, location: "batch", field: field, reason)
            }
        }
    }

    /// Merges `fields` over the defaults and validates; `location` names the message in errors.
    public func build(_ fields: MessageFields, location: String) throws(IntakeError) -> MessageDraft {
        func fail(_ code: IntakeError.Code, _ field: String?, _ reason: String) -> IntakeError {
            IntakeError(code, location: location, field: field, reason)
        }

        let owner = (fields.owner ?? defaults.owner ?? "").trimmingSpaces()
        guard !owner.isEmpty else { throw fail(.missingField, "owner", "owner is required (in the message or the batch)") }
        try checkIdentifier(owner, field: "owner", fail: fail)
        if let key = fields.key { try checkIdentifier(key, field: "key", fail: fail) }

        guard let subject = fields.subject ?? defaults.subject else {
            throw fail(.missingField, "subject", "subject is required (it may be empty: \"\")")
        }
        try checkHeaderValue(subject, field: "subject", maxBytes: limits.maxSubjectBytes, fail: fail)

        let text = fields.text ?? defaults.text
        let html = fields.html ?? defaults.html
        // SQLite and SMTP would cut or mangle a body at a NUL; refuse it rather than send less.
        for case let (name, body?) in [("text", text), ("html", html)] {
            // Searched in the contiguous UTF-8 (the generic UTF8View search cost ~30 instructions a byte).
            let nulOffset = body.utf8.withContiguousStorageIfAvailable { $0.firstIndex(of: 0) }
                ?? body.utf8.firstIndex(of: 0).map { body.utf8.distance(from: body.utf8.startIndex, to: $0) }
            if let offset = nulOffset {
                throw fail(.invalidValue, name, "\(name) contains a NUL character (U+0000) at byte \(offset); mail bodies cannot carry it")
            }
        }
        let batchAttachments = defaults.attachments ?? []
        let ownAttachments = fields.attachments ?? []
        guard text != nil || html != nil || !batchAttachments.isEmpty || !ownAttachments.isEmpty else {
            throw fail(.noBody, "text", "message has no content: give text, html or attachments")
        }

        let recipients = try recipientList(fields, fail: fail)
        let headers = try headerList(fields, fail: fail)
        let kind = try messageKind(fields, recipients: recipients, headers: headers, fail: fail)
        var sources: [AttachmentSource] = defaultSources ?? []
        if defaultSources == nil {
            for (index, field) in batchAttachments.enumerated() {
                sources.append(try attachmentSource(field, field: "attachments[\(index)]", fail: fail))
            }
        }
        for (offset, field) in ownAttachments.enumerated() {
            sources.append(try attachmentSource(field, field: "attachments[\(batchAttachments.count + offset)]", fail: fail))
        }
        sources += try inlineImages(fields, html: html, fail: fail)

        var bytes = (text?.utf8.count ?? 0) + (html?.utf8.count ?? 0)
        for case .inline(let data) in sources.map(\.content) { bytes += data.count }
        guard bytes <= limits.maxMessageBytes else {
            throw fail(.tooLarge, nil, "message is \(bytes) bytes, over the limit of \(limits.maxMessageBytes)")
        }

        let priority = fields.priority ?? defaults.priority ?? 0
        guard (-1000...1000).contains(priority) else {
            throw fail(.invalidValue, "priority", "priority must be between -1000 and 1000")
        }
        let schedule = try MessageSchedule(notBefore: fields.notBefore ?? defaults.notBefore,
                                           expiresAt: fields.expiresAt ?? defaults.expiresAt, now: now, fail: fail)
        return MessageDraft(
            key: fields.key, owner: owner, priority: priority, subject: subject,
            textBody: text, htmlBody: html, headers: headers, recipients: recipients, attachments: sources, kind: kind,
            notBefore: schedule.notBefore, expiresAt: schedule.expiresAt
        )
    }

    /// The message's ``MessageKind``: `kind` as given (default `transactional`); `"unsubscribe":
    /// true` makes an unspecified kind a letter. An invoice or transactional message that asks
    /// for unsubscription, a letter that refuses it, a letter with no `to` recipient (its
    /// unsubscribe token stands for the `to` addresses) and a List-Unsubscribe custom header
    /// on an invoice or a letter are refused.
    private func messageKind(_ fields: MessageFields, recipients: [Recipient], headers: [HeaderField],
                             fail: (IntakeError.Code, String?, String) -> IntakeError) throws(IntakeError) -> MessageKind {
        let written = fields.kind ?? defaults.kind
        let unsubscribe = fields.unsubscribe ?? defaults.unsubscribe
        var kind = MessageKind.transactional
        if let written {
            guard let known = MessageKind(rawValue: written) else {
                throw fail(.invalidValue, "kind", "kind '\(written)' is not one of \(MessageKind.vocabulary)")
            }
            kind = known
        }
        let origin = fields.unsubscribe == nil ? " (set by the batch)" : ""
        switch (kind, unsubscribe) {
        case (.invoice, true?):
            throw fail(.invalidValue, "unsubscribe", "an invoice never carries List-Unsubscribe\(origin): "
                + "an unsubscribed customer still gets their invoices; mark customer letters \"kind\": \"letter\" instead")
        case (.transactional, true?) where written != nil:
            throw fail(.invalidValue, "unsubscribe", "transactional mail cannot be unsubscribed from\(origin); "
                + "mark mail the recipient may opt out of \"kind\": \"letter\"")
        case (.transactional, true?):
            kind = .letter
        case (.letter, false?):
            throw fail(.invalidValue, "unsubscribe", "a letter always offers List-Unsubscribe (Gmail and Yahoo require it of bulk mail)\(origin); "
                + "mail the recipient cannot opt out of is \"kind\": \"transactional\" or \"invoice\"")
        default:
            break
        }
        if kind != .transactional, let own = headers.first(where: { ListUnsubscribe.headerNames.contains($0.name.lowercased()) }) {
            throw fail(.invalidHeader, "headers.\(own.name)", kind == .invoice
                ? "an invoice never carries \(own.name)"
                : "Outbox writes \(own.name) for letters itself (with a token per message); leave it out")
        }
        if kind == .letter, !recipients.contains(where: { $0.kind == .to }) {
            throw fail(.noRecipients, "to", "a letter needs a 'to' recipient: its unsubscribe link stands for the 'to' addresses "
                + "(cc and bcc are copies and are never unsubscribed)")
        }
        return kind
    }

    private func checkIdentifier(_ value: String, field: String, fail: (IntakeError.Code, String?, String) -> IntakeError) throws(IntakeError) {
        guard !value.isEmpty, value.utf8.count <= limits.maxIdentifierBytes else {
            throw fail(.invalidValue, field, "\(field) must be 1 to \(limits.maxIdentifierBytes) bytes")
        }
        if Self.hasControlCharacter(value) {
            throw fail(.invalidValue, field, "\(field) contains a control character")
        }
    }

    /// Whether `value` has a control character (Unicode category Cc: U+0000–U+001F,
    /// U+007F–U+009F), read from its UTF-8 bytes: U+0080–U+009F are C2 80–C2 9F. (Asking
    /// each scalar for its category cost ~4,000 instructions per key.)
    static func hasControlCharacter(_ value: String) -> Bool {
        var previous: UInt8 = 0
        for byte in value.utf8 {
            if byte < 0x20 || byte == 0x7F || (previous == 0xC2 && byte <= 0x9F && byte >= 0x80) { return true }
            previous = byte
        }
        return false
    }

    private func checkHeaderValue(_ value: String, field: String, maxBytes: Int, fail: (IntakeError.Code, String?, String) -> IntakeError) throws(IntakeError) {
        do {
            try HeaderField.checkValue(value, field: field, maxBytes: maxBytes)
        } catch {
            throw fail(error.code == .tooLong ? .tooLarge : .headerInjection, field, error.reason)
        }
    }

    private func recipientList(_ fields: MessageFields, fail: (IntakeError.Code, String?, String) -> IntakeError) throws(IntakeError) -> [Recipient] {
        var result: [Recipient] = []
        var seen = Set<String>()
        for kind in RecipientKind.allCases {
            let list: [RecipientField]
            switch kind {
            case .to: list = fields.to ?? defaults.to ?? []
            case .cc: list = fields.cc ?? defaults.cc ?? []
            case .bcc: list = fields.bcc ?? defaults.bcc ?? []
            }
            for (index, entry) in list.enumerated() {
                let path = "\(kind.rawValue)[\(index)]"
                let mailbox: Mailbox
                do {
                    mailbox = try entry.name == nil
                        ? Mailbox.parse(entry.address)
                        : Mailbox(address: entry.address, displayName: entry.name)
                } catch {
                    let code: IntakeError.Code = error.code == .lineBreak || error.code == .controlCharacterInName ? .headerInjection : .invalidAddress
                    throw fail(code, path, error.reason)
                }
                // The same address twice in one message would be delivered twice.
                if seen.insert(mailbox.address.lowercased()).inserted {
                    result.append(Recipient(kind: kind, mailbox: mailbox))
                }
            }
        }
        guard !result.isEmpty else { throw fail(.noRecipients, "to", "message has no recipients (to, cc or bcc)") }
        guard result.count <= limits.maxRecipients else {
            throw fail(.tooManyRecipients, "to", "message has \(result.count) recipients, over the limit of \(limits.maxRecipients)")
        }
        return result
    }

    private func headerList(_ fields: MessageFields, fail: (IntakeError.Code, String?, String) -> IntakeError) throws(IntakeError) -> [HeaderField] {
        for headers in [defaults.headers, fields.headers] {
            var seen: [String: String] = [:]
            for name in (headers ?? [:]).keys.sorted() {
                if let first = seen.updateValue(name, forKey: name.lowercased()) {
                    throw fail(.invalidHeader, "headers.\(name)", "headers '\(first)' and '\(name)' differ only in case; give the header once")
                }
            }
        }
        var merged = defaults.headers ?? [:]
        for (name, value) in fields.headers ?? [:] {
            if let existing = merged.keys.first(where: { $0.caseInsensitiveCompare(name) == .orderedSame }) {
                merged.removeValue(forKey: existing)
            }
            merged[name] = value
        }
        var result: [HeaderField] = []
        for name in merged.keys.sorted() {
            do {
                result.append(try HeaderField(name: name, value: merged[name]!))
            } catch {
                let code: IntakeError.Code = error.code == .injection ? .headerInjection : error.code == .tooLong ? .tooLarge : .invalidHeader
                throw fail(code, "headers.\(name)", error.reason)
            }
        }
        return result
    }

    /// The inline images the HTML shows, batch's first. Every `cid:` in the HTML needs an
    /// image, cids are unique (ignoring case), and images need an HTML body. An image of the
    /// message that the HTML never shows is refused (it would appear as a stray attachment);
    /// one of the batch is a shared resource: left out of the messages that do not show it.
    private func inlineImages(_ fields: MessageFields, html: String?, fail: (IntakeError.Code, String?, String) -> IntakeError) throws(IntakeError) -> [AttachmentSource] {
        let entries = (defaults.inline ?? []).enumerated().map { ($1, "batch.inline[\($0)]", true) }
            + (fields.inline ?? []).enumerated().map { ($1, "inline[\($0)]", false) }
        let references = html.map(ContentID.references(in:)) ?? []
        guard !entries.isEmpty || !references.isEmpty else { return [] }
        guard html != nil else {
            throw fail(.inlineImage, entries[0].1, "inline images need an html body that shows them (src=\"cid:\(entries[0].0.cid)\")")
        }
        var images: [AttachmentSource] = []
        var fieldByCID: [String: String] = [:]
        for (entry, field, fromBatch) in entries {
            if let problem = ContentID.problem(entry.cid) { throw fail(.invalidValue, field + ".cid", problem) }
            if let first = fieldByCID.updateValue(field, forKey: entry.cid.lowercased()) {
                throw fail(.inlineImage, field + ".cid", "cid '\(entry.cid)' is also given by \(first); each inline image needs its own cid")
            }
            var file = entry.file
            if file.path == nil && file.filename == nil { file.filename = entry.cid }
            let source = try attachmentSource(file, field: field, fail: fail)
            let type = source.contentType ?? MIMEType.forFilename(source.filename)
            guard type.hasPrefix("image/") else {
                throw fail(.invalidValue, field, "an inline image must be an image (png, jpeg, gif, …): '\(source.filename)' is \(type); give an image file or its contentType")
            }
            guard references.contains(entry.cid) else {
                if fromBatch { continue }
                throw fail(.inlineImage, field + ".cid", "the html never shows cid:\(entry.cid); remove the image or refer to it (src=\"cid:\(entry.cid)\")")
            }
            images.append(AttachmentSource(content: source.content, filename: source.filename, contentType: source.contentType, contentID: entry.cid))
        }
        for reference in references where !images.contains(where: { $0.contentID == reference }) {
            let near = fieldByCID[reference.lowercased()].map { " (\($0) differs in case: cids are matched exactly)" } ?? ""
            throw fail(.inlineImage, "html", "the html shows cid:\(reference) but no inline image has that cid\(near); add {\"path\": …, \"cid\": \"\(reference)\"} to \"inline\"")
        }
        return images
    }

    private func attachmentSource(_ attachment: AttachmentField, field: String, fail: (IntakeError.Code, String?, String) -> IntakeError) throws(IntakeError) -> AttachmentSource {
        let content: AttachmentContent
        let defaultName: String?
        switch (attachment.path, attachment.content, attachment.contentRef) {
        case (let path?, nil, nil):
            guard !path.isEmpty else { throw fail(.missingField, field + ".path", "attachment path is empty") }
            content = .file(path: path)
            defaultName = path.split(separator: "/").last.map(String.init)
        case (nil, let base64?, nil):
            guard let data = Base64Decoder.decode(base64) else {
                throw fail(.invalidBase64, field + ".content", "attachment content is not valid base64")
            }
            content = .inline(data)
            defaultName = nil
        case (nil, nil, let reference?):
            guard let sha = ContentReference.sha256(of: reference) else {
                throw fail(.invalidValue, field + ".contentRef", "'\(reference)' is not a content reference like sha256:<64 hex digits> (from POST /v1/attachments)")
            }
            content = .stored(sha256: sha)
            defaultName = nil
        case (nil, nil, nil):
            throw fail(.missingField, field, "attachment needs one of 'path', 'content' or 'contentRef'")
        default:
            throw fail(.invalidValue, field, "attachment has more than one of 'path', 'content' and 'contentRef'; give one")
        }
        guard let filename = attachment.filename ?? defaultName, !filename.isEmpty else {
            throw fail(.missingField, field + ".filename", "an inline attachment needs a filename")
        }
        try checkHeaderValue(filename, field: field + ".filename", maxBytes: 255, fail: fail)
        if filename.contains("/") || filename.contains("\\") {
            throw fail(.invalidValue, field + ".filename", "filename must not contain a path separator")
        }
        if let type = attachment.contentType {
            let parts = type.split(separator: "/", omittingEmptySubsequences: false)
            let token: (Substring) -> Bool = { part in
                !part.isEmpty && part.utf8.allSatisfy { $0 > 32 && $0 < 127 && !"()<>@,;:\\\"/[]?=".utf8.contains($0) }
            }
            guard parts.count == 2, token(parts[0]), token(parts[1]) else {
                throw fail(.invalidValue, field + ".contentType", "'\(type)' is not a MIME type like application/pdf")
            }
        }
        return AttachmentSource(content: content, filename: filename, contentType: attachment.contentType?.lowercased())
    }
}
