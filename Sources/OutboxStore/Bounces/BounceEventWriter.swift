import OutboxCore

/// Writes the events of one ingested bounce and collects them for the result.
struct BounceEventWriter {
    let ledger: any BounceLedger
    let bounceID: Int64
    let now: Int64
    private(set) var entries: [BounceIngestResult.Entry] = []

    init(ledger: any BounceLedger, bounceID: Int64, now: Int64) {
        self.ledger = ledger
        self.bounceID = bounceID
        self.now = now
    }

    /// Appends one event; `detail` gets the raw reference ` [bounce #ID]` appended.
    @discardableResult
    mutating func append(kind: String, message: MatchedMessage?, recipient: String?, code: Int? = nil,
                         enhancedCode: String? = nil, reason: BounceReason? = nil, severity: BounceSeverity? = nil,
                         detail: String) throws -> Int64 {
        let id = try ledger.appendEvent(at: now, kind: kind, messageID: message?.id, batchID: message?.batchID, owner: message?.owner,
                                        recipient: recipient, code: code, enhancedCode: enhancedCode, reason: reason?.rawValue,
                                        severity: severity?.rawValue, detail: "\(detail) [bounce #\(bounceID)]")
        entries.append(.init(eventID: id, kind: kind, messageID: message?.id, recipient: recipient, enhancedCode: enhancedCode,
                             reason: reason?.rawValue, severity: severity?.rawValue))
        return id
    }
}
