import ArgumentParser
import Foundation
import OutboxCore
import OutboxStore

/// `outbox enqueue [FILE|-]`: put a batch into the outbox, whole or not at all.
struct EnqueueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enqueue",
        abstract: "Enqueue a batch from JSON, JSON Lines, or a mail-merge template with a CSV of recipients.",
        discussion: """
            The batch is written atomically: if any message is invalid, nothing is written and the \
            error names the message (messages[i] or line N) and the field. A batch key that is \
            already known, and message keys already in the outbox, are skipped: enqueueing the \
            same input twice changes nothing. Relative attachment paths are read relative to the \
            batch file's directory (the current directory for stdin). Exit status: 0 done, \
            65 input refused, 1 other failure.
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Argument(help: ArgumentHelp("Batch file, or - for standard input.", valueName: "file"))
    var input: String = "-"

    @Option(help: "Input format: json or jsonl (default: detected).")
    var format: String?

    @Option(help: ArgumentHelp("Mail merge: Mustache template for the text body.", valueName: "file"))
    var template: String?

    @Option(name: .customLong("html-template"), help: ArgumentHelp("Mail merge: Mustache template for the HTML body.", valueName: "file"))
    var htmlTemplate: String?

    @Option(help: ArgumentHelp("Mail merge: CSV with a header row and an 'email' column (also 'name', 'key', any others).", valueName: "file"))
    var recipients: String?

    @Option(help: "Mail merge: subject template, e.g. 'Invoice {{invoice}}'.")
    var subject: String?

    @Option(help: "Mail merge: owner of every message.")
    var owner: String?

    @Option(help: "Mail merge: idempotency key of the batch.")
    var key: String?

    @Option(name: .customLong("attach"), help: ArgumentHelp("Mail merge: a file attached to every message (repeatable).", valueName: "file"))
    var attachments: [String] = []

    @Option(name: .customLong("max-message-bytes"), help: "Largest message accepted (text, HTML and attachments), in bytes.")
    var maxMessageBytes: Int = IntakeLimits().maxMessageBytes

    @Option(name: .customLong("max-recipients"), help: "Most recipients per message.")
    var maxRecipients: Int = IntakeLimits().maxRecipients

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        if let format, BatchInput.Format(rawValue: format) == nil {
            throw ValidationError("--format must be json or jsonl, not '\(format)'")
        }
        let merging = template != nil || htmlTemplate != nil || recipients != nil
        if merging {
            guard recipients != nil else { throw ValidationError("mail merge needs --recipients FILE.csv") }
            guard template != nil || htmlTemplate != nil else { throw ValidationError("mail merge needs --template or --html-template") }
            guard subject != nil else { throw ValidationError("mail merge needs --subject") }
            guard input == "-" else { throw ValidationError("give either a batch file or --template/--recipients, not both") }
        } else if subject != nil || owner != nil || key != nil || !attachments.isEmpty {
            throw ValidationError("--subject, --owner, --key and --attach are for mail merge; put them in the batch file otherwise")
        }
    }

    func run() throws {
        var limits = IntakeLimits()
        limits.maxMessageBytes = maxMessageBytes
        limits.maxRecipients = maxRecipients
        let outbox = try database.open()
        let result = try Failure.guarding {
            recipients != nil ? try mailMerge(into: outbox, limits: limits) : try batchFile(into: outbox, limits: limits)
        }
        if json { try Formatting.printJSON(result); return }
        if result.duplicateBatch {
            print("batch key '\(result.batchKey ?? "")' is already enqueued as batch \(result.batchID) (\(result.enqueued) message(s)); nothing changed")
            return
        }
        var line = "batch \(result.batchID): \(result.enqueued) message(s) enqueued"
        if result.duplicates > 0 { line += ", \(result.duplicates) already in the outbox (same key) skipped" }
        if result.newContents > 0 { line += ", \(result.newContents) new attachment content(s) stored" }
        print(line)
    }

    private func batchFile(into outbox: OutboxDatabase, limits: IntakeLimits) throws -> EnqueueResult {
        let reader = BatchInput(
            source: input == "-" ? "stdin" : (input as NSString).lastPathComponent,
            baseDirectory: input == "-" ? nil : (input as NSString).deletingLastPathComponent.nilIfEmpty,
            limits: limits, format: format.flatMap(BatchInput.Format.init(rawValue:)))
        guard input != "-" else { return try reader.enqueue(from: STDIN_FILENO, into: outbox, now: nowMilliseconds()) }
        let descriptor = open(input, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw IntakeError(.attachmentMissing, location: input, field: nil, "cannot open batch file: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        return try reader.enqueue(from: descriptor, into: outbox, now: nowMilliseconds())
    }

    private func mailMerge(into outbox: OutboxDatabase, limits: IntakeLimits) throws -> EnqueueResult {
        var defaults = MessageFields()
        defaults.owner = owner
        defaults.attachments = attachments.map { AttachmentField(path: $0) }
        let merge = MailMerge(
            textTemplate: try template.map { try readText($0, what: "--template") },
            htmlTemplate: try htmlTemplate.map { try readText($0, what: "--html-template") },
            subjectTemplate: subject ?? "", defaults: defaults, recipientsPath: recipients!, limits: limits)
        let drafts = try merge.drafts(csv: try readText(recipients!, what: "--recipients"))
        return try outbox.enqueue(batchKey: key, source: (recipients! as NSString).lastPathComponent, now: nowMilliseconds(),
                                  baseDirectory: nil, limits: limits) { writer in
            for (draft, location) in drafts { try writer.add(draft, location: location) }
        }
    }

    private func readText(_ path: String, what: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw IntakeError(.attachmentMissing, location: what, field: nil, "cannot read \(path)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw IntakeError(.syntax, location: what, field: nil, "\(path) is not UTF-8 text")
        }
        return text
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
