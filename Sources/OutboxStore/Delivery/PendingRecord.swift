/// One outcome waiting to be recorded: the attempt's record and its message.
public struct PendingRecord: Hashable, Sendable {
    public let record: DeliveryRecord
    public let messageID: Int64

    public init(_ record: DeliveryRecord, messageID: Int64) {
        self.record = record
        self.messageID = messageID
    }
}
