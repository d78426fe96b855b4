import ArgumentParser
import Foundation
import OutboxDaemon
import OutboxStore
import OutboxTransport

/// `outbox bounces poll`: reads a bounce mailbox over IMAP or POP3 once, records every
/// message, and deletes (or moves) each only after it is recorded; in own-mailbox mode
/// takes only what is about Outbox's mail and leaves the rest untouched and unread.
struct BouncesPollCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "poll", abstract: "Read a bounce mailbox over IMAP or POP3 once; record, then delete, each message.",
        discussion: """
            A message is deleted (POP3 DELE, IMAP \\Deleted + EXPUNGE) or moved (--move-to, IMAP) only after it is \
            recorded; one that cannot be fetched or recorded stays for the next poll. The same bytes recorded twice \
            count once. With --mode own-mailbox (the owner's own inbox, IMAP only), only bounces, complaints and \
            auto-replies that name a message Outbox sent are recorded and moved to --move-to (default: [bounces] \
            mailbox-folder, Outbox-Bounces); every other message is read with BODY.PEEK and left untouched and unread; \
            nothing is deleted. With --oauth OWNER the login is XOAUTH2 with the OAuth tokens stored on OWNER's \
            profile (outbox profile oauth OWNER; Microsoft 365 takes no passwords over IMAP/POP), refreshed when due \
            and once more if the server refuses the token. Exit 0 when every listed message was handled, 75 when the poll stopped early or the \
            mailbox or database could not be reached.
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var bounceConfiguration: BounceConfiguration
    @Option(help: "bounce-mailbox (take everything) or own-mailbox (only what is about Outbox's mail); default: [bounces] mailbox-mode.")
    var mode: String?
    @Option(help: "imap[s]://host[:port][/MAILBOX] (default mailbox INBOX) or pop3[s]://host[:port].") var url: String
    @Option(help: "Login name.") var user: String
    @OptionGroup var secret: SecretInput
    @Option(help: ArgumentHelp("Log in with XOAUTH2 and the OAuth tokens of this owner's profile instead of a password.", valueName: "owner"))
    var oauth: String?
    @Option(help: "IMAP: move recorded messages to this folder (bounce-mailbox mode: instead of deleting them).") var moveTo: String?
    @Option(help: "At most this many messages per poll.") var limit = 1000
    @Flag(help: "Allow logging in without TLS (loopback or test servers only).") var allowPlaintext = false
    @Flag(help: "Do not verify the server's TLS certificate (self-signed servers; discouraged).") var insecure = false
    @Option(help: ArgumentHelp("CA certificates to verify the server with.", valueName: "file")) var caFile: String?
    @Option(help: "How long a database write waits for another writer, in seconds.") var busyTimeout: Double = 60
    @Flag(inversion: .prefixedNo, help: "Apply the suppression policy (dead addresses, complaints, repeated soft bounces).") var suppress = true
    @Flag(help: "Print the result as JSON.") var json = false

    func validate() throws {
        guard (1...100_000).contains(limit) else { throw ValidationError("--limit must be between 1 and 100000") }
        guard busyTimeout >= 0, busyTimeout <= 3600 else { throw ValidationError("--busy-timeout must be between 0 and 3600 seconds") }
        if let mode, BounceSettings.MailboxMode(rawValue: mode) == nil { throw ValidationError("--mode must be bounce-mailbox or own-mailbox") }
        if let oauth, BounceMailboxAuth("oauth:" + oauth) == nil { throw ValidationError("--oauth needs an owner name") }
        if oauth != nil, secret.fromStdin || secret.file != nil || secret.credential != nil {
            throw ValidationError("--oauth logs in with the owner's OAuth tokens: give no password with it")
        }
    }

    /// What logs in: the OAuth owner's tokens (then no password is read), else the password.
    private var auth: BounceMailboxAuth { oauth.flatMap { BounceMailboxAuth("oauth:" + $0) } ?? .password }

    func run() throws {
        let password = auth == .password ? try readPassword() : ""
        var endpoint: MailboxEndpoint
        do {
            endpoint = try MailboxEndpoint(url: url, username: user, password: password, requireTLS: !allowPlaintext,
                                           verifyTLS: !insecure, caFile: caFile)
        } catch {
            throw ValidationError(error.reason)
        }
        var settings = try bounceConfiguration.settings()
        if let mode { settings.mailboxMode = BounceSettings.MailboxMode(rawValue: mode) ?? settings.mailboxMode }
        let outbox = try BounceDatabase.open(database, busyTimeout: busyTimeout)
        endpoint = BounceMailboxPoller.authorised(endpoint, auth: auth, database: outbox, tokens: BounceDatabase.oauthTokens(of: outbox))
        let result: MailboxDrain.Result
        let progress = ProgressLine.onTerminal("bounces poll", unit: "message(s) recorded")
        defer { progress?.finish() }
        do {
            result = try BounceMailboxPoller.poll(endpoint, database: outbox, settings: settings, suppress: suppress, moveTo: moveTo, limit: limit) {
                progress?.advance()
            }
        } catch {
            Terminal.error(error.reason)
            throw SysExit.tempFail
        }
        if json { try Formatting.printJSON(result) } else if settings.mailboxMode == .ownMailbox {
            print("\(endpoint.displayURL): \(result.listed) message(s), \(result.recorded) about Outbox's mail recorded and moved to "
                + "\(moveTo ?? settings.mailboxFolder), \(result.untouched) left untouched")
        } else {
            print("\(endpoint.displayURL): \(result.listed) message(s), \(result.recorded) recorded and \(moveTo.map { "moved to \($0)" } ?? "deleted")")
        }
        if let reason = result.stoppedBecause {
            Terminal.error("stopped early: \(reason); the rest stay in the mailbox")
            throw SysExit.tempFail
        }
    }

    /// The password from --password-file, --password-stdin or a systemd credential.
    private func readPassword() throws -> String {
        if let name = secret.credential {
            guard let directory = ProcessInfo.processInfo.environment["CREDENTIALS_DIRECTORY"],
                  let data = FileManager.default.contents(atPath: directory + "/" + name) else {
                throw ValidationError("systemd credential \(name) is not available ($CREDENTIALS_DIRECTORY/\(name))")
            }
            var text = String(decoding: data, as: UTF8.self)
            while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
            return text
        }
        guard let password = try secret.read() else {
            throw ValidationError("give the mailbox password with --password-file FILE, --password-stdin or --password-credential NAME")
        }
        return password
    }
}
