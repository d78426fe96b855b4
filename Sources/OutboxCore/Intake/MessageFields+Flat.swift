extension MessageFields {
    /// The fields of a message whose members are all strings, whole numbers or lists of
    /// address strings, as ``StrictJSON/checkCapturing(_:firstLine:)`` read them: the same
    /// value `JSONDecoder` gives, without its cost (it was half the parsing of a JSON Lines
    /// enqueue). nil when any member needs the decoder — headers, attachments, recipient
    /// objects, null, or an unknown or mistyped member, which the decoder then reports.
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
            case ("to", .strings(let addresses)): to = addresses.map { RecipientField(address: $0) }
            case ("cc", .strings(let addresses)): cc = addresses.map { RecipientField(address: $0) }
            case ("bcc", .strings(let addresses)): bcc = addresses.map { RecipientField(address: $0) }
            default: return nil
            }
        }
    }
}
