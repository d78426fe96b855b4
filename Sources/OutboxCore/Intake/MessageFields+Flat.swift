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
        list(items, string: { AttachmentField(path: $0) }) { members in
            guard members.keys.allSatisfy(attachmentMembers.contains) else { return nil }
            return AttachmentField(path: members["path"], content: members["content"], contentRef: members["contentRef"],
                                   filename: members["filename"], contentType: members["contentType"])
        }
    }

    private static let attachmentMembers: Set<String> = ["path", "content", "contentRef", "filename", "contentType"]

    /// `"Name <a@b>"` strings and `{"address": …, "name": …}` objects, as RecipientField
    /// decodes them; nil for an object with another member or without an address.
    private static func recipients(_ items: [StrictJSON.FlatItem]) -> [RecipientField]? {
        list(items, string: { RecipientField(address: $0) }) { members in
            guard let address = members["address"], members.count == (members["name"] == nil ? 1 : 2) else { return nil }
            return RecipientField(address: address, name: members["name"])
        }
    }

    /// The items of a flat list as `string` and `object` make them; nil when `object` refuses one.
    private static func list<Item>(_ items: [StrictJSON.FlatItem], string: (String) -> Item,
                                   object: ([String: String]) -> Item?) -> [Item]? {
        var list: [Item] = []
        list.reserveCapacity(items.count)
        for item in items {
            switch item {
            case .string(let text): list.append(string(text))
            case .object(let members):
                guard let made = object(members) else { return nil }
                list.append(made)
            }
        }
        return list
    }
}
