import Foundation
public import OutboxCore

/// Reads a batch from a JSON document or JSON Lines and enqueues it atomically.
///
/// Format detection (unless `format` is given): a first line that is a complete JSON
/// object is JSON Lines (`{"batch": …}` header optional); anything else is one JSON
/// document. JSON Lines is streamed: memory does not grow with the batch. Every line and
/// document is read strictly (``StrictJSON``) before it is decoded, so errors name the
/// line, column and field, and nothing a lenient parser would drop gets through.
///
/// The one intake path of `outbox enqueue` and `POST /v1/batches`: a file descriptor or
/// a request body in memory are read the same way.
public struct BatchInput: Sendable {
    public enum Format: String, CaseIterable, Sendable { case json, jsonl }

    /// Names the input in errors: a file name, `stdin`, `request`.
    public let source: String
    public let attachments: AttachmentPolicy
    public let limits: IntakeLimits
    public let format: Format?
    /// Maximum size of a whole JSON document (JSON Lines has no overall limit).
    public let maxDocumentBytes = 1 << 30
    /// Called once per message validated and handed to the writer (a progress line).
    public var onMessage: (@Sendable () -> Void)? = nil
    /// When set, every message's owner must be one of these (an API token limited to
    /// owners); another owner is refused with ``IntakeError/Code/ownerNotAllowed``.
    public var allowedOwners: Set<String>? = nil

    public init(source: String, attachments: AttachmentPolicy, limits: IntakeLimits, format: Format?) {
        self.source = source
        self.attachments = attachments
        self.limits = limits
        self.format = format
    }

    /// Reads the batch from `descriptor` (a file, a pipe) and enqueues it atomically.
    public func enqueue(from descriptor: Int32, into database: OutboxDatabase, now: Int64) throws -> EnqueueResult {
        try readBatch(LineReader(descriptor: descriptor, maxLineBytes: limits.maxLineBytes), to: .outbox(database, now: now))!
    }

    /// Reads the batch from bytes in memory (an HTTP request body) and enqueues it atomically.
    public func enqueue(bytes: [UInt8], into database: OutboxDatabase, now: Int64) throws -> EnqueueResult {
        try readBatch(LineReader(bytes: bytes, maxLineBytes: limits.maxLineBytes), to: .outbox(database, now: now))!
    }

    /// Reads and validates the batch from `descriptor` as ``enqueue(from:into:now:)`` does,
    /// storing nothing: its key and messages, for a store that takes a whole batch
    /// (``QueueStore/enqueue(batchKey:source:now:attachments:messages:)``). The messages are
    /// held in memory.
    public func read(from descriptor: Int32, now: Int64) throws -> (batchKey: String?, entries: [BatchEntry]) {
        let collector = BatchCollector()
        _ = try readBatch(LineReader(descriptor: descriptor, maxLineBytes: limits.maxLineBytes), to: .collection(collector, now: now))
        return (collector.batchKey, collector.entries)
    }

    /// ``read(from:now:)`` from bytes in memory (an HTTP request body, for a store that takes a whole batch).
    public func read(bytes: [UInt8], now: Int64) throws -> (batchKey: String?, entries: [BatchEntry]) {
        let collector = BatchCollector()
        _ = try readBatch(LineReader(bytes: bytes, maxLineBytes: limits.maxLineBytes), to: .collection(collector, now: now))
        return (collector.batchKey, collector.entries)
    }

    /// Checks the batch exactly as ``enqueue(from:into:now:)`` would, storing nothing.
    public func rehearse(from descriptor: Int32, into rehearsal: BatchRehearsal) throws {
        _ = try readBatch(LineReader(descriptor: descriptor, maxLineBytes: limits.maxLineBytes), to: .rehearsal(rehearsal))
    }

    /// Where a read batch goes: into the outbox, or through a rehearsal that stores nothing.
    enum Target {
        case outbox(OutboxDatabase, now: Int64)
        case rehearsal(BatchRehearsal)
        case collection(BatchCollector, now: Int64)

        /// The enqueue time an `expiresAt` must lie after (a rehearsal checks against the clock).
        var now: Int64 {
            switch self {
            case .outbox(_, let now), .collection(_, let now): now
            case .rehearsal: OutboxDatabase.milliseconds(Date())
            }
        }
    }

    private func readBatch(_ reader: LineReader, to target: Target) throws -> EnqueueResult? {
        var first: ArraySlice<UInt8>?
        repeat { first = try nextLine(reader) } while first.map(isBlank) == true
        guard let first else { throw IntakeError(.noMessages, location: source, field: nil, "input is empty") }
        let firstLine = reader.lineNumber

        let firstObject = Self.isValid(first, line: firstLine) ? (try? JSONSerialization.jsonObject(with: Data(first))) as? [String: Any] : nil
        let format = self.format ?? (firstObject == nil && !looksLikeOneLineObject(first) ? .json : .jsonl)
        switch format {
        case .json:
            var data = Data(repeating: UInt8(ascii: "\n"), count: firstLine - 1)
            data.append(contentsOf: first)
            data.append(UInt8(ascii: "\n"))
            while let line = try nextLine(reader) {
                data.append(contentsOf: line)
                data.append(UInt8(ascii: "\n"))
                guard data.count <= maxDocumentBytes else {
                    throw IntakeError(.tooLarge, location: source, field: nil, "JSON document is over \(maxDocumentBytes) bytes; use JSON Lines for large batches")
                }
            }
            return try enqueueDocument(data, to: target)
        case .jsonl:
            if firstObject?["messages"] != nil, try nextNonBlank(reader) == nil {
                return try enqueueDocument(Data(repeating: UInt8(ascii: "\n"), count: firstLine - 1) + Data(first), to: target)
            }
            return try enqueueLines(first: first, isHeader: firstObject?["batch"] != nil, reader: reader, to: target)
        }
    }

    private func enqueueDocument(_ data: Data, to target: Target) throws -> EnqueueResult? {
        let messageLines = try data.withUnsafeBytes { try strictCheck($0, firstLine: 1, elementsOf: "messages") }
        let document: BatchDocument
        do {
            document = try JSONDecoder().decode(BatchDocument.self, from: data)
        } catch {
            throw locate(error, in: data, messageLines: messageLines)
        }
        let builder = DraftBuilder(defaults: document.defaults, limits: limits, now: target.now)
        var drafts: [(MessageDraft, String)] = []
        drafts.reserveCapacity(document.messages.count)
        for (index, fields) in document.messages.enumerated() {
            let location = "\(source) messages[\(index)] (line \(messageLines[index]))"
            drafts.append((try checkOwner(try builder.build(fields, location: location), location: location), location))
        }
        let add = { (receiver: any DraftReceiver) throws in
            for (draft, location) in drafts {
                try receiver.add(draft, location: location)
                onMessage?()
            }
        }
        switch target {
        case .outbox(let database, let now):
            return try database.enqueue(batchKey: document.key, source: source, now: now, attachments: attachments, limits: limits) { try add($0) }
        case .rehearsal(let rehearsal):
            try rehearsal.run(batchKey: document.key, source: source) { try add(rehearsal) }
            return nil
        case .collection(let collector, _):
            collector.batchKey = document.key
            try add(collector)
            return nil
        }
    }

    private func enqueueLines(first: ArraySlice<UInt8>, isHeader: Bool, reader: LineReader, to target: Target) throws -> EnqueueResult? {
        var header: BatchHeaderLine?
        if isHeader {
            do { header = try JSONDecoder().decode(BatchHeaderLine.self, from: Data(first)) } catch {
                throw IntakeError.from(error, location: "\(source) line \(reader.lineNumber)", pathPrefixToDrop: 1)
            }
        }
        let producer = LineProducer(
            input: self, reader: reader, first: isHeader ? nil : (first, reader.lineNumber),
            builder: DraftBuilder(defaults: header?.defaults ?? MessageFields(), limits: limits, now: target.now))
        switch target {
        case .outbox(let database, let now):
            return try database.enqueuePipelined(batchKey: header?.key, source: source, now: now, attachments: attachments,
                                                 limits: limits) { sink in try producer.run(into: sink) }
        case .rehearsal(let rehearsal):
            try rehearsal.run(batchKey: header?.key, source: source) { try producer.run(into: rehearsal) }
            return nil
        case .collection(let collector, _):
            collector.batchKey = header?.key
            try producer.run(into: collector)
            return nil
        }
    }

    /// Parses and validates JSON Lines on the producer thread of a pipelined enqueue.
    /// It owns the reader until the enqueue returns, hence `@unchecked Sendable`.
    private final class LineProducer: @unchecked Sendable {
        let input: BatchInput
        let reader: LineReader
        let first: (ArraySlice<UInt8>, Int)?
        let builder: DraftBuilder
        let decoder = JSONDecoder()

        init(input: BatchInput, reader: LineReader, first: (ArraySlice<UInt8>, Int)?, builder: DraftBuilder) {
            self.input = input
            self.reader = reader
            self.first = first
            self.builder = builder
        }

        func run(into sink: any DraftReceiver) throws {
            if let (line, number) = first { try add(line, number: number, to: sink) }
            while let line = try input.nextLine(reader) {
                if input.isBlank(line) { continue }
                try add(line, number: reader.lineNumber, to: sink)
            }
        }

        private func add(_ line: ArraySlice<UInt8>, number: Int, to sink: any DraftReceiver) throws {
            let location = "\(input.source) line \(number)"
            let fields: MessageFields
            if let members = try input.checkLineCapturing(line, number: number), let flat = MessageFields(flat: members) {
                fields = flat  // the common line needs no decoder
            } else {
                do {
                    fields = try line.withUnsafeBytes { try decoder.decode(MessageFields.self, from: Data($0)) }
                } catch {
                    throw IntakeError.from(error, location: location)
                }
            }
            try sink.add(try input.checkOwner(try builder.build(fields, location: location), location: location), location: location)
            input.onMessage?()
        }
    }

    /// Refuses a message whose owner is outside ``allowedOwners``.
    fileprivate func checkOwner(_ draft: MessageDraft, location: String) throws(IntakeError) -> MessageDraft {
        guard let allowedOwners, !allowedOwners.contains(draft.owner) else { return draft }
        throw IntakeError(.ownerNotAllowed, location: location, field: "owner",
                          "owner '\(draft.owner)' is not one this API token may submit for (allowed: \(allowedOwners.sorted().joined(separator: ", ")))")
    }

    /// Refuses a line of JSON Lines that is not strictly valid JSON, naming line, column and field.
    fileprivate func checkLine(_ line: ArraySlice<UInt8>, number: Int) throws {
        _ = try line.withUnsafeBytes { try strictCheck($0, firstLine: number) }
    }

    /// ``checkLine(_:number:)`` that also returns the line's members when all are flat.
    fileprivate func checkLineCapturing(_ line: ArraySlice<UInt8>, number: Int) throws -> [String: StrictJSON.FlatValue]? {
        try line.withUnsafeBytes { try strictCheckCapturing($0, line: number) }
    }

    private func strictCheckCapturing(_ bytes: UnsafeRawBufferPointer, line: Int) throws(IntakeError) -> [String: StrictJSON.FlatValue]? {
        do { return try StrictJSON.checkCapturing(bytes, firstLine: line) } catch {
            throw IntakeError(.syntax, location: "\(source) line \(error.line), column \(error.column)", field: error.path, error.reason)
        }
    }

    private func strictCheck(_ bytes: UnsafeRawBufferPointer, firstLine: Int, elementsOf: String? = nil) throws(IntakeError) -> [Int] {
        do { return try StrictJSON.check(bytes, firstLine: firstLine, elementsOf: elementsOf) } catch {
            throw IntakeError(.syntax, location: "\(source) line \(error.line), column \(error.column)", field: error.path, error.reason)
        }
    }

    private static func isValid(_ line: ArraySlice<UInt8>, line number: Int) -> Bool {
        line.withUnsafeBytes { bytes in (try? StrictJSON.check(bytes, firstLine: number)) != nil }
    }

    fileprivate func nextLine(_ reader: LineReader) throws(IntakeError) -> ArraySlice<UInt8>? {
        do { return try reader.next() } catch let error as LineReader.LineTooLong {
            throw IntakeError(.tooLarge, location: "\(source) line \(error.line)", field: nil, "line is longer than \(error.limit) bytes")
        } catch {
            throw IntakeError(.unreadableInput, location: "\(source) line \(reader.lineNumber + 1)", field: nil, "cannot read the input: \(Self.describe(error))")
        }
    }

    private func nextNonBlank(_ reader: LineReader) throws -> ArraySlice<UInt8>? {
        while let line = try nextLine(reader) {
            if !isBlank(line) { return line }
        }
        return nil
    }

    fileprivate func isBlank(_ line: ArraySlice<UInt8>) -> Bool {
        line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }

    /// A one-line object with a syntax error is a bad JSON Lines line, not the start of a document.
    private func looksLikeOneLineObject(_ line: ArraySlice<UInt8>) -> Bool {
        let trimmed = line.filter { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }
        return trimmed.first == UInt8(ascii: "{") && trimmed.last == UInt8(ascii: "}") && trimmed.count > 2
    }

    /// Maps a JSON document decoding error to `messages[i]` (or the document) with the
    /// line the failing value is on, and the field inside it.
    private func locate(_ error: any Error, in data: Data, messageLines: [Int]) -> IntakeError {
        guard let decoding = error as? DecodingError else { return IntakeError.from(error, location: source) }
        let keys: [any CodingKey]
        switch decoding {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context): keys = context.codingPath
        case .keyNotFound(_, let context): keys = context.codingPath
        @unknown default: keys = []
        }
        let path = keys.map { key in key.intValue.map(StrictJSON.PathComponent.index) ?? .key(key.stringValue) }
        let line = data.withUnsafeBytes { StrictJSON.line(of: path, in: $0) }
        if path.count >= 2, path[0] == .key("messages"), case .index(let index) = path[1], index < messageLines.count {
            let location = "\(source) messages[\(index)] (line \(line ?? messageLines[index]))"
            return IntakeError.from(error, location: location, pathPrefixToDrop: 2)
        }
        return IntakeError.from(error, location: line.map { "\(source) line \($0)" } ?? source)
    }

    private static func describe(_ error: any Error) -> String {
        if let posix = error as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
        return "\(error)"
    }
}
