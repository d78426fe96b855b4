import ArgumentParser
import Foundation
import OutboxCore
import OutboxDaemon
import OutboxPostgres
import OutboxStore

/// `outbox show ID`: one message in full, with its event timeline.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one message: headers, recipients, attachments, events.")

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "Message id.") var id: Int64
    @Flag(help: "Print as JSON.") var json = false
    @Flag(help: "Print the message as RFC 5322 bytes: exactly as sent (DKIM signatures included), or as it would be sent now.")
    var eml = false
    @Option(help: ArgumentHelp("Configuration file for --eml of an unsent message (default: /etc/outbox/outbox.conf when it exists).", valueName: "path"))
    var config: String?

    func run() throws {
        if eml { return try printEML() }
        let id = id
        let (detail, unknown): (MessageDetail, UnknownOutcome?) = database.isPostgres
            ? try database.readPostgresStore { store in (try await store.message(id: id), try await store.unknownOutcome(messageID: id)) }
            : try Failure.guarding {
                let outbox = try database.open(.readOnly)
                return (try outbox.message(id: id), try? outbox.unknownOutcome(messageID: id))
            }
        if json { try Formatting.printJSON(detail); return }
        let m = detail.summary
        print("message \(m.id)  state \(m.state)  owner \(m.owner)  batch \(m.batchID)\(m.key.map { "  key \($0)" } ?? "")")
        print("subject: \(m.subject)")
        print("created \(Formatting.time(m.createdAt))  updated \(Formatting.time(m.updatedAt))  attempts \(m.attempts)  priority \(m.priority)")
        if let unknown {
            print(UnknownOutcomeText.line(unknown))
        } else if m.state == "queued" || m.state == "deferred" {
            print("next attempt: \(Formatting.time(m.nextAttemptAt))")
        }
        if m.notBefore != nil || m.expiresAt != nil {
            print("not before: \(Formatting.time(m.notBefore))  expires: \(Formatting.time(m.expiresAt))")
        }
        if let error = m.lastError { print("last error: \(m.lastCode.map { "\($0) " } ?? "")\(error)") }
        print("body: text \(detail.textBytes) bytes, html \(detail.htmlBytes) bytes")
        if !detail.headers.isEmpty {
            print("\nheaders:")
            for header in detail.headers { print("  \(header.name): \(header.value)") }
        }
        print("\nrecipients:")
        for r in detail.recipients {
            let name = r.displayName.map { "\($0) " } ?? ""
            let reply = r.lastReply.map { " — \(r.lastCode.map { "\($0) " } ?? "")\($0)" } ?? ""
            let bounce = r.bounceReason.map { " (\($0)\(r.bounceSeverity.map { ", \($0)" } ?? ""))" } ?? ""
            // An internationalised domain is stored and sent as its A-label; show the U-label beside it.
            let unicode = IDNA.displayAddress(r.address)
            let shown = unicode == r.address ? "" : " (\(unicode))"
            print("  \(r.kind): \(name)<\(r.address)>\(shown)  \(r.state)\(bounce)\(reply)")
        }
        if !detail.attachments.isEmpty {
            print("\nattachments:")
            for a in detail.attachments {
                print("  \(a.contentID.map { "inline cid:\($0)  " } ?? "")\(a.filename)  \(a.size) bytes  \(a.contentType ?? "(type from name)")  sha256 \(a.sha256.prefix(16))…")
            }
        }
        print("\ntimeline:")
        print("  \(Formatting.time(m.createdAt)) queued")
        for event in detail.events { print("  " + Formatting.event(event)) }
    }

    /// `--eml`: the bytes on stdout; for an unsent message a notice on stderr says so.
    private func printEML() throws {
        let rendering: MessagePreview.Rendering
        do {
            let configuration = try SystemRelay.routing(config: config, withSecret: false)
            rendering = database.isPostgres
                ? try renderOnPostgres(configuration)
                : try MessagePreview.render(messageID: id, database: try database.open(.readOnly), configuration: configuration, now: Date())
        } catch let problem as MessagePreview.Problem {
            Terminal.error(problem.reason)
            throw ExitCode.failure
        }
        switch rendering {
        case .asSent(let bytes):
            FileHandle.standardOutput.write(Data(bytes))
        case .asWouldBeSent(let bytes):
            Terminal.notice("message \(id) is not sent yet: this is how it would be sent now (Date and DKIM t= are now)")
            FileHandle.standardOutput.write(Data(bytes))
        }
    }

    /// `--eml` on a PostgreSQL outbox: as on SQLite, the message read in one snapshot and, for
    /// one not sent yet, signed with the keys stored there (opened with this user's secrets key).
    private func renderOnPostgres(_ configuration: DeliveryConfiguration) throws -> MessagePreview.Rendering {
        let setting = database.resolvedPath, id = id
        let store = try Failure.guarding { try DatabaseOptions.waitFor { try await PostgresStore.open(try PostgresLocation(setting)) } }
        defer { store.close() }
        let stored = try Failure.guarding {
            try DatabaseOptions.waitFor {
                do { return try await store.messageForPreview(id: id) } catch { throw PostgresStore.reported(error, doing: "PostgreSQL outbox \(store.location)") }
            }
        }
        let secrets = SecretVault(source: .resolve(sharedStoreEnvironment: ProcessInfo.processInfo.environment))
        let keyring = DKIMKeyring { domain in try DatabaseOptions.waitFor { try await store.dkimSigningKeys(domain: domain, secrets: secrets) } }
        return try MessagePreview.render(messageID: id, stored: stored, keyring: keyring, configuration: configuration, now: Date())
    }
}
