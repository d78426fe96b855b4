import ArgumentParser
import Foundation
import OutboxCore
import OutboxDaemon
import OutboxStore

/// `outbox bounces ingest [FILE...|-]`: records messages from an MTA pipe, procmail,
/// `.forward`, or a directory of saved bounces. Exits 0 only once every one is recorded,
/// 75 when one could not be (the MTA keeps it and retries), 65 for empty or oversized
/// input, 66 for an unreadable file.
struct BouncesIngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest", abstract: "Record bounces (or any message sent to the bounce address) read from files or stdin.",
        discussion: """
            Each FILE is one message; - (the default) reads one from stdin. Several files are recorded up to 250 to a \
            transaction (one disk flush each); output and exit code come once they are committed. \
            Exit codes follow sysexits(3): 0 recorded (or already recorded), 75 not recorded because the database \
            is busy, locked, full or cannot be opened (the MTA keeps the message and retries; with several files, \
            those of the failed transaction and after are not recorded: run it again, what was recorded counts once), \
            65 empty or oversized input, 66 unreadable file (the other files are still recorded). Postfix master.cf example:
              outbox-bounces unix - n n - - pipe
                flags=Rq user=outbox argv=/usr/local/bin/outbox bounces ingest --source postfix --recipient ${recipient} -
            Mail to unsubscribe+TOKEN@ (a letter's List-Unsubscribe) is recorded as an unsubscription, not a bounce.
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var bounceConfiguration: BounceConfiguration
    @Argument(help: "Message files, or - for stdin.") var files: [String] = ["-"]
    @Option(help: "How long to wait for another writer, in seconds.") var busyTimeout: Double = 60
    @Option(help: "Where the messages came from, kept with the raw copy (default: pipe, or the file name).") var source: String?
    @Option(help: ArgumentHelp("The envelope recipient the MTA delivered to (Postfix: ${recipient}); read before Delivered-To, "
        + "X-Original-To and To for bounces+TOKEN@ and unsubscribe+TOKEN@ addresses.", valueName: "address"))
    var recipient: String?
    @Flag(inversion: .prefixedNo, help: "Apply the suppression policy (dead addresses, complaints, repeated soft bounces).") var suppress = true
    @Flag(help: "Print the result as JSON (an array with several files).") var json = false

    func validate() throws {
        guard busyTimeout >= 0, busyTimeout <= 3600 else { throw ValidationError("--busy-timeout must be between 0 and 3600 seconds") }
        guard files.filter({ $0 == "-" }).count <= 1 else { throw ValidationError("stdin (-) can be named only once") }
    }

    /// Messages (and bytes) recorded per transaction, one disk flush each, when several files are given.
    static let chunk = 250
    static let chunkBytes = 32 << 20

    func run() throws {
        let policy = suppress ? try bounceConfiguration.settings().policy : nil
        let outbox = try BounceDatabase.open(database, busyTimeout: busyTimeout)
        var results: [BounceIngestResult] = []
        var failure: ExitCode?
        var pending: [(raw: [UInt8], source: String, file: String)] = []
        func flush() throws {
            guard !pending.isEmpty else { return }
            let recorded = try BounceDatabase.temporary {
                try outbox.ingestBounces(pending.map { ($0.raw, $0.source) }, now: nowMilliseconds(), policy: policy, parser: BounceParser(),
                                         envelopeRecipient: recipient)
            }
            for (item, result) in zip(pending, recorded) {
                if json { results.append(result) } else { print((files.count > 1 ? "\(item.file): " : "") + BounceSummary.line(result)) }
            }
            pending.removeAll()
        }
        for file in files {
            do {
                let raw = try BounceInput.read(file)
                guard !raw.isEmpty else {
                    Terminal.error("\(file): the input is empty; nothing to record")
                    failure = failure ?? SysExit.dataError
                    continue
                }
                pending.append((raw, source ?? (file == "-" ? "pipe" : file), file))
            } catch .unreadable(let reason) {
                Terminal.error(reason)
                failure = failure ?? SysExit.noInput
            } catch .tooLarge {
                Terminal.error("\(file): the message is larger than \(BounceInput.limit >> 20) MiB; not recorded")
                failure = failure ?? SysExit.dataError
            }
            if pending.count >= Self.chunk || pending.reduce(0, { $0 + $1.raw.count }) >= Self.chunkBytes { try flush() }
        }
        try flush()
        if json {
            if files.count == 1, let only = results.first { try Formatting.printJSON(only) } else { try Formatting.printJSON(results) }
        }
        if let failure { throw failure }
    }
}
