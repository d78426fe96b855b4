extension MessageFields {
    /// The fields of a message whose members are all strings, whole numbers, lists of
    /// recipients (address strings, `{"address": …, "name": …}` objects of strings) or of
    /// attachments (path strings, objects of ``AttachmentField``'s string members), as
    /// ``StrictJSON/checkCapturing(_:firstLine:)`` read them: the same value `JSONDecoder`
    /// gives, without its cost (it was half the parsing of a JSON Lines enqueue). nil when
    /// any member needs the decoder — headers, inline images, null, or an unknown or mistyped
    /// member, which the decoder then reports.
    public init?(flat members: [String: StrictJSON.FlatValue]) {
        self.init()
        for (name, value) in members {
            switch (name, value) {
            case ("key", .string(let value)): key = value
            case ("owner", .string(let value)): owner = value
            case ("subject", .string(let value)): subject = value
            case ("text", .string(let value)): text = value
            case ("html", .string(let value)): html = value
            case ("priority", .integer(let number)): priority = number
            case ("to", .list(let items)), ("cc", .list(let items)), ("bcc", .list(let items)):
                guard let list = Self.recipients(items) else { return nil }
                switch name {
                case "to": to = list
                case "cc": cc = list
                default: bcc = list
                }
            case ("attachments", .list(let items)):
                guard let list = Self.attachments(items) else { return nil }
                attachments = list
            default: return nil
            }
        }
    }

    /// Path strings and objects with ``AttachmentField``'s members, as it decodes them; nil
    /// for an object with another member (the decoder refuses it).
    private static func attachments(_ items: [StrictJSON.FlatItem]) -> [AttachmentField]? {
        var attachments: [AttachmentField] = []
        attachments.reserveCapacity(items.count)
        for item in items {
            switch item {
            case .string(let path): attachments.append(AttachmentField(path: path))
            case .object(let members):
                guard members.keys.allSatisfy(attachmentMembers.contains) else { return nil }
                attachments.append(AttachmentField(path: members["path"], content: members["content"], contentRef: members["contentRef"],
                                                   filename: members["filename"], contentType: members["contentType"]))
            }
        }
        return attachments
    }

    private static let attachmentMembers: Set<String> = ["path", "content", "contentRef", "filename", "contentType"]

    /// `"Name <a@b>"` strings and `{"address": …, "name": …}` objects, as RecipientField
    /// decodes them; nil for an object with another member or without an address.
    private static func recipients(_ items: [StrictJSON.FlatItem]) -> [RecipientField]? {
        var recipients: [RecipientField] = []
        recipients.reserveCapacity(items.count)
        for item in items {
            switch item {
            case .string(let text): recipients.append(RecipientField(address: text))
            case .object(let members):
                guard let address = members["address"], members.count == (members["name"] == nil ? 1 : 2) else { return nil }
                recipients.append(RecipientField(address: address, name: members["name"]))
            }
        }
        return recipients
    }
}
