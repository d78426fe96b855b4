import Logging
import OutboxCore
import OutboxStore

/// The structured fields of a delivery outcome's log entry. Under systemd they become the
/// journal fields `OUTBOX_MESSAGE_ID`, `OUTBOX_BATCH_ID`, `OUTBOX_OWNER`, `OUTBOX_EVENT`,
/// `SMTP_CODE` and `SMTP_ENHANCED_CODE` (see ``JournalFields``), so
/// `journalctl OUTBOX_MESSAGE_ID=7` finds every entry about message 7.
enum OutcomeMetadata {
    static func fields(_ message: ClaimedMessage, event: EventKind, code: Int?, enhancedCode: String?) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "message-id": "\(message.id)", "batch-id": "\(message.batchID)", "owner": "\(message.owner)", "event": "\(event.rawValue)",
        ]
        if let code { metadata["smtp-code"] = "\(code)" }
        if let enhancedCode { metadata["smtp-enhanced-code"] = "\(enhancedCode)" }
        return metadata
    }
}
