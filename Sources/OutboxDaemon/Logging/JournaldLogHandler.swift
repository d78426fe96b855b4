import Foundation
import Logging

/// Sends each entry to journald through `sd_journal_sendv` with structured fields
/// (see ``JournalFields``). Falls back to a stderr line when the journal refuses the entry.
public struct JournaldLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let shared: LogLevelSetting
    private var ownLevel: Logger.Level?

    init(label _: String, level: LogLevelSetting, metadataProvider: Logger.MetadataProvider? = nil) {
        self.shared = level
        self.metadataProvider = metadataProvider
    }

    public var logLevel: Logger.Level {
        get { ownLevel ?? shared.value }
        set { ownLevel = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = LogMetadataMerge.merge(handler: metadata, provider: metadataProvider, call: event.metadata)
        let fields = JournalFields.fields(
            level: event.level, message: "\(event.message)", metadata: merged,
            source: event.source, file: event.file, function: event.function, line: event.line)
        guard !JournalEntry(fields: fields).send() else { return }
        StderrLogHandler.write(StderrLogHandler.line(date: Date(), level: event.level, message: "\(event.message)", metadata: merged))
    }
}
