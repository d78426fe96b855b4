import OutboxCore

/// Takes the validated messages of a batch: the enqueue's writer or pipeline sink, or a
/// dry run's rehearsal.
protocol DraftReceiver {
    func add(_ draft: MessageDraft, location: String) throws
}

extension BatchWriter: DraftReceiver {}
extension MessageSink: DraftReceiver {}
extension BatchRehearsal: DraftReceiver {}

/// Keeps a batch's validated messages in order (``BatchInput/read(from:now:)``).
final class BatchCollector: DraftReceiver {
    var batchKey: String?
    private(set) var entries: [BatchEntry] = []

    func add(_ draft: MessageDraft, location: String) throws {
        entries.append(BatchEntry(draft, location: location))
    }
}
