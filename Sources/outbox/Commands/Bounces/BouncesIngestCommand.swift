import ArgumentParser
import Foundation
import OutboxStore

/// `outbox bounces ingest [FILE|-]`: records one message from an MTA pipe, procmail or
/// `.forward`. Exits 0 only once it is recorded, 75 when it could not be (the MTA keeps
/// it and retries), 65 for empty or oversized input, 66 for an unreadable file.
struct BouncesIngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest", abstract: "Record one bounce (or any message sent to the bounce address) read from a file or stdin.",
        discussion: """
            Exit codes follow sysexits(3): 0 recorded (or already recorded), 75 not recorded because the database \
            is busy, locked, full or cannot be opened (the MTA keeps the message and retries), 65 empty or oversized \
            input, 66 unreadable file. Postfix master.cf example:
              outbox-bounces unix - n n - - pipe
                flags=Rq user=outbox argv=/usr/local/bin/outbox bounces ingest --source postfix -
            """)

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The message file, or - for stdin.") var file = "-"
    @Option(help: "How long to wait for another writer, in seconds.") var busyTimeout: Double = 60
    @Option(help: "Where the message came from, kept with the raw copy (default: pipe, or the file name).") var source: String?
    @Flag(inversion: .prefixedNo, help: "Put hard-bounced addresses on the suppression list.") var suppress = true
    @Flag(help: "Print the result as JSON.") var json = false

    func validate() throws {
        guard busyTimeout >= 0, busyTimeout <= 3600 else { throw ValidationError("--busy-timeout must be between 0 and 3600 seconds") }
    }

    func run() throws {
        let raw: [UInt8]
        do {
            raw = try BounceInput.read(file)
        } catch .unreadable(let reason) {
            Terminal.error(reason)
            throw SysExit.noInput
        } catch .tooLarge {
            Terminal.error("the message is larger than \(BounceInput.limit >> 20) MiB; not recorded")
            throw SysExit.dataError
        }
        guard !raw.isEmpty else {
            Terminal.error("the input is empty; nothing to record")
            throw SysExit.dataError
        }
        let outbox = try BounceDatabase.open(database, busyTimeout: busyTimeout)
        let result = try BounceDatabase.temporary {
            try outbox.ingestBounce(raw: raw, source: source ?? (file == "-" ? "pipe" : file), now: nowMilliseconds(), suppressHardBounces: suppress)
        }
        if json { try Formatting.printJSON(result); return }
        print(BounceSummary.line(result))
    }
}
