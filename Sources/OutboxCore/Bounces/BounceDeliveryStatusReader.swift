/// Reads the body of a `message/delivery-status` part (RFC 3464 §2.2–2.3): one group of
/// per-message fields, then a group per recipient. Lenient: a missing blank line between
/// groups is tolerated (a second `Final-Recipient` starts a new recipient), lines that
/// are not fields are skipped, and a recipient without an `Action` gets one from its
/// status class.
struct BounceDeliveryStatusReader {
    private(set) var reportingMTA: String?
    private(set) var arrivalDate: String?
    private(set) var originalEnvelopeID: String?
    private(set) var recipients: [BounceRecipient] = []

    private struct Draft {
        var final: String?
        var original: String?
        var action: BounceAction?
        var status: EnhancedStatusCode?
        var diagnostic: String?
        var remoteMTA: String?
        /// An action, status or diagnostic came after `final`: a following
        /// `Original-Recipient` starts the next recipient (a missing blank line). Before it
        /// (Amazon SES writes `Action` first) they belong to the same one.
        var hasFieldsAfterFinal = false
        var isEmpty: Bool { final == nil && original == nil && action == nil && status == nil && diagnostic == nil }
    }

    init(_ bytes: ArraySlice<UInt8>, limits: BounceLimits) {
        var position = bytes.startIndex
        var draft = Draft()
        while position < bytes.endIndex, recipients.count < limits.maxRecipients {
            let block = BounceHeaderBlock(bytes[position...], limits: limits)
            guard !block.isEmpty, block.bodyStart > position else {
                // Skip one line that is not a field.
                while position < bytes.endIndex, bytes[position] != BounceBytes.lf { position += 1 }
                position += 1
                continue
            }
            for (name, raw) in block.fields {
                let value = BounceBytes.collapsed(String(decoding: raw, as: UTF8.self))
                switch name {
                case "reporting-mta": reportingMTA = reportingMTA ?? Self.typed(value)
                case "arrival-date": arrivalDate = arrivalDate ?? value
                case "original-envelope-id": originalEnvelopeID = originalEnvelopeID ?? value
                case "original-recipient":
                    if draft.original != nil || (draft.final != nil && draft.hasFieldsAfterFinal) {
                        finish(&draft)
                    }
                    draft.original = Self.address(value)
                case "final-recipient":
                    if draft.final != nil { finish(&draft) }
                    draft.final = Self.address(value)
                case "action":
                    draft.action = BounceAction(fieldValue: value)
                    draft.hasFieldsAfterFinal = draft.final != nil
                case "status":
                    let token = value.split(whereSeparator: { $0 == " " || $0 == "(" }).first ?? ""
                    draft.status = EnhancedStatusCode(token)
                    draft.hasFieldsAfterFinal = draft.final != nil
                case "diagnostic-code":
                    draft.diagnostic = Self.typed(value)
                    draft.hasFieldsAfterFinal = draft.final != nil
                case "remote-mta": draft.remoteMTA = Self.typed(value)
                default: break
                }
            }
            finish(&draft)
            position = block.bodyStart
        }
        finish(&draft)
    }

    private mutating func finish(_ draft: inout Draft) {
        defer { draft = Draft() }
        guard !draft.isEmpty, let address = draft.final ?? draft.original, !address.isEmpty else { return }
        let diagnostic = draft.diagnostic.map { String($0.prefix(2_000)) }
        let status = draft.status ?? diagnostic.flatMap(BounceStatusText.enhancedStatus(in:))
        let action: BounceAction
        if let given = draft.action {
            action = given
        } else {
            switch status?.statusClass {
            case 4: action = .delayed
            case 2: action = .delivered
            default: action = .failed
            }
        }
        recipients.append(BounceRecipient(
            finalRecipient: address, originalRecipient: draft.original, action: action, status: status,
            diagnosticCode: diagnostic, smtpReplyCode: diagnostic.flatMap(BounceStatusText.replyCode(in:)),
            remoteMTA: draft.remoteMTA))
    }

    /// `type; value` → `value` (`dns; mx.example.org`, `smtp; 550 …`); a value without a
    /// type is kept whole.
    static func typed(_ value: String) -> String {
        guard let semicolon = value.firstIndex(of: ";") else { return value }
        let type = value[..<semicolon]
        guard !type.isEmpty, type.count <= 20, !type.contains(" ") else { return value }
        return BounceBytes.collapsed(String(value[value.index(after: semicolon)...]))
    }

    /// `rfc822; <a@b>` → `a@b`.
    static func address(_ value: String) -> String {
        var text = Substring(typed(value))
        while let first = text.first, first == "<" || first == " " { text = text.dropFirst() }
        while let last = text.last, last == ">" || last == " " { text = text.dropLast() }
        // Quotes around the whole value go; those of a quoted local part (`"a..b"@c`) stay.
        if text.first == "\"", text.last == "\"", text.count >= 2, !text.contains("\"@") {
            text = text.dropFirst().dropLast()
        }
        return String(text.prefix(320))
    }
}
