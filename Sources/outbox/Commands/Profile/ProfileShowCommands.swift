import Foundation
import ArgumentParser
import OutboxCore
import OutboxStore

/// `outbox profile show OWNER`.
struct ProfileShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show an owner's stored profile (secrets masked).")
    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The owner.") var owner: String
    @Flag(help: "Print as JSON.") var json = false

    func run() throws {
        guard let record = try database.storedProfile(owner: owner) else {
            Terminal.error("owner \(owner) has no profile of its own (it inherits everything; see outbox profile resolve \(owner))")
            throw ExitCode.failure
        }
        if json { try Formatting.printJSON(ProfileView(record)); return }
        print("profile \(owner)")
        ProfileView(record).printLines()
        for line in SenderProblemText.lines(try database.senderProblems(owner: owner), showOwner: false) { print(line) }
    }
}

/// `outbox profile list`.
struct ProfileListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List stored profiles.")
    @OptionGroup var database: DatabaseOptions
    @Flag(help: "Print as JSON.") var json = false

    func run() throws {
        let (records, global) = try database.storedProfiles()
        if json { try Formatting.printJSON(records.map(ProfileView.init)); return }
        guard !records.isEmpty else { print("no profiles (every owner sends through the system relay)"); return }
        var rows = [["OWNER", "MODE", "SERVER", "TLS", "USER", "FROM", "NOTE"]]
        for record in records {
            let f = record.fields
            let server = f.host.map { "\($0):\(f.port.map(String.init) ?? "-")" } ?? "-"
            var note = record.owner == global ? "global profile" : ""
            if record.heldReason != nil { note += (note.isEmpty ? "" : ", ") + "HELD" }
            rows.append([record.owner, f.mode?.rawValue ?? "-", server, f.tls?.word ?? "-", f.username ?? "-", f.fromAddress ?? "-", note])
        }
        print(Formatting.table(rows))
    }
}

/// `outbox profile delete OWNER`.
struct ProfileDeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete an owner's profile (the owner then inherits everything).")
    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The owner.") var owner: String

    func run() throws {
        let owner = owner
        guard try database.withProfileStore({ try $0.deleteProfile(owner: owner) }) else {
            Terminal.error("owner \(owner) has no profile")
            throw ExitCode.failure
        }
        print("profile \(owner) deleted")
    }
}

/// `outbox profile resolve OWNER`: the effective profile and where each field came from.
struct ProfileResolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resolve", abstract: "Show the effective profile of an owner and where every field comes from.")
    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The owner.") var owner: String
    @Option(help: ArgumentHelp("Configuration file with the system relay (default: /etc/outbox/outbox.conf when it exists).", valueName: "path"))
    var config: String?
    @Flag(help: "Print as JSON.") var json = false

    func run() throws {
        let owner = owner
        let layers = try database.withProfileStore { try $0.profileLayers(owner: owner) }
        let resolved = ProfileResolver.resolve(owner: owner, own: layers.own, global: layers.global, system: try SystemRelay.fields(config: config, withSecret: false))
        let view = ResolvedView(resolved)
        if json { try Formatting.printJSON(view); return }
        print("effective profile of \(owner)")
        let width = max(13, view.rows.map(\.0.count).max() ?? 0)
        for (name, value, origin) in view.rows {
            print("  \(name.padding(toLength: width, withPad: " ", startingAt: 0)) \(value.padding(toLength: 34, withPad: " ", startingAt: 0)) \(origin)")
        }
        if let note = view.fromNote { print("note: \(note)") }
    }
}
