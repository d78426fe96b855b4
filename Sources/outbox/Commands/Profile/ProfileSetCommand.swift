import ArgumentParser
import Foundation
import OutboxCore
import OutboxStore
import OutboxTransport

/// `outbox profile set OWNER …`: create or change an owner's profile, field by field.
struct ProfileSetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Create or update an owner's profile; unset fields are inherited.",
        discussion: """
            Only the fields you give change; the others keep their value, or are inherited from the \
            global profile (outbox settings set global-profile OWNER) when never set. An empty --user \
            means: do not authenticate. When --tls is omitted it follows the port: 465 is implicit TLS, \
            others STARTTLS. Examples:
              outbox profile set mari --user mari@firma.ee --password-stdin
              outbox profile set firma --preset zone --user info@firma.ee --password-file pw.txt --from info@firma.ee
            """)

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The owner (the user id your application puts on messages).") var owner: String
    @Option(help: "Fill host, port and TLS for a provider: \(ProfilePreset.allCases.map(\.rawValue).joined(separator: ", ")).") var preset: String?
    @Option(help: "Sender mode: \(SenderMode.allCases.map(\.rawValue).joined(separator: ", ")).") var mode: String?
    @Option(help: "SMTP server host name.") var host: String?
    @Option(help: "SMTP port (25, 465, 587).") var port: Int?
    @Option(help: "none, starttls or tls (implicit).") var tls: String?
    @Option(help: "User name; empty means no authentication.") var user: String?
    @OptionGroup var secret: SecretInput
    @Option(help: "From address.") var from: String?
    @Option(name: .customLong("from-name"), help: "From display name.") var fromName: String?
    @Option(name: .customLong("reply-to"), help: "Reply-To address.") var replyTo: String?
    @Option(name: .customLong("archive-bcc"), help: "Envelope-only copy of every message to this address.") var archiveBcc: String?
    @Flag(name: .customLong("no-verify-tls"), help: "Do not verify the server certificate (self-signed company servers only; every send is marked).") var noVerifyTLS = false
    @Flag(name: .customLong("verify-tls"), help: "Verify the server certificate (the default).") var verifyTLS = false
    @Option(name: .customLong("ca-file"), help: "PEM file of CA certificates to trust.") var caFile: String?
    @Option(name: .customLong("bind-address"), help: "Local source address to connect from (for IP allow-lists).") var bindAddress: String?
    @Option(help: "HTTP mode: the endpoint URL; maildir mode: the directory.") var url: String?
    @Option(name: .customLong("per-minute"), help: "At most this many messages a minute.") var perMinute: Int?
    @Option(name: .customLong("per-hour"), help: "At most this many messages an hour.") var perHour: Int?
    @Option(name: .customLong("per-day"), help: "At most this many messages a day (Gmail: about 500).") var perDay: Int?
    @Option(name: .customLong("max-connections"), help: "At most this many open SMTP connections (1-1024; default: the daemon's connections-per-profile).")
    var maxConnections: Int?
    @Option(name: .customLong("clear"), help: ArgumentHelp("Reset a field to inherited (repeatable): \(Self.clearable.sorted().joined(separator: ", ")).", valueName: "field"))
    var clear: [String] = []
    @Flag(help: "Print the stored profile as JSON.") var json = false
    @Option(name: .customLong("sent-copy"), help: ArgumentHelp("Append every message sent (mode smtp) to this IMAP folder, e.g. Sent.", valueName: "folder"))
    var sentCopy: String?
    @Option(name: .customLong("sent-copy-url"), help: ArgumentHelp("IMAP server of the copy (default: imaps://HOST:993 of the SMTP host).", valueName: "url"))
    var sentCopyURL: String?
    @Option(name: .customLong("sent-copy-user"), help: ArgumentHelp("IMAP login of the copy (default: the SMTP user; the password is the profile's).", valueName: "user"))
    var sentCopyUser: String?

    static let clearable: Set<String> = [
        "mode", "host", "port", "tls", "username", "secret", "from", "from-name", "reply-to", "archive-bcc", "verify-tls",
        "ca-file", "bind-address", "url", "per-minute", "per-hour", "per-day", "max-connections",
        "sent-copy", "sent-copy-url", "sent-copy-user",
    ]

    func validate() throws {
        if let preset, ProfilePreset(rawValue: preset) == nil { throw ValidationError("unknown --preset '\(preset)'; known: \(ProfilePreset.allCases.map(\.rawValue).joined(separator: ", "))") }
        if let mode, SenderMode(rawValue: mode) == nil { throw ValidationError("unknown --mode '\(mode)'; known: \(SenderMode.allCases.map(\.rawValue).joined(separator: ", "))") }
        if let tls, TLSMode(rawValue: tls) == nil { throw ValidationError("--tls must be none, starttls or tls, not '\(tls)'") }
        if let port, !(1...65535).contains(port) { throw ValidationError("--port must be between 1 and 65535") }
        if let host, host.isEmpty || host.contains(where: { $0 == " " || $0 == "/" || $0.isNewline }) { throw ValidationError("--host '\(host)' is not a host name") }
        for (name, value) in [("--from", from), ("--reply-to", replyTo), ("--archive-bcc", archiveBcc)] {
            if let value { do { _ = try Mailbox.parse(value) } catch { throw ValidationError("\(name): \(error.reason)") } }
        }
        if let fromName { do { try HeaderFieldChecks.value(fromName, "--from-name") } }
        if noVerifyTLS && verifyTLS { throw ValidationError("give --verify-tls or --no-verify-tls, not both") }
        for limit in [perMinute, perHour, perDay].compactMap({ $0 }) where limit < 1 { throw ValidationError("rate limits must be at least 1") }
        if let maxConnections, !(1...1024).contains(maxConnections) { throw ValidationError("--max-connections must be between 1 and 1024") }
        for field in clear where !Self.clearable.contains(field) { throw ValidationError("--clear: unknown field '\(field)'") }
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) { throw ValidationError("--ca-file \(caFile) is not a readable file") }
        if sentCopy?.isEmpty == true { throw ValidationError("--sent-copy needs a folder name (e.g. Sent); --clear sent-copy turns the copy off") }
        if sentCopy != nil || sentCopyURL != nil {
            do {
                _ = try MailboxEndpoint.sentCopy(folder: sentCopy ?? "Sent", url: sentCopyURL, smtpHost: "localhost", username: "", password: "",
                                                 verifyTLS: true, caFile: nil)
            } catch { throw ValidationError("--sent-copy/--sent-copy-url: \(error.reason)") }
        }
    }

    func run() throws {
        let outbox = try database.open()
        var fields = ProfileFields()
        let preset = self.preset.flatMap(ProfilePreset.init(rawValue:))
        if let preset {
            fields.mode = preset.mode
            fields.host = preset.host
            fields.port = preset.port
            fields.tls = preset.tls
        }
        if let mode { fields.mode = SenderMode(rawValue: mode) }
        if let host { fields.host = host.lowercased() }
        if let port {
            fields.port = port
            if tls == nil && preset == nil { fields.tls = TLSMode.forPort(port) }
        }
        if let tls { fields.tls = TLSMode(rawValue: tls) }
        if let user { fields.username = user }
        if var password = try secret.read() {
            let storedHost = try outbox.profileFields(owner: owner)?.host
            let provider = preset ?? fields.host.flatMap(ProfilePreset.forHost) ?? storedHost.flatMap(ProfilePreset.forHost)
            if provider?.usesAppPasswords == true, password.contains(" ") {
                let spaces = password.filter { $0 == " " }.count
                password.removeAll { $0 == " " }
                Terminal.notice("removed \(spaces) space(s) from the app password (\(provider!.rawValue) shows app passwords in groups; enter them without spaces)")
            }
            fields.secret = password
        }
        if let from { fields.fromAddress = try Mailbox.parse(from).address }
        if let fromName { fields.fromName = fromName }
        if let replyTo { fields.replyTo = try Mailbox.parse(replyTo).address }
        if let archiveBcc { fields.archiveBcc = try Mailbox.parse(archiveBcc).address }
        if noVerifyTLS { fields.verifyTLS = false; Terminal.notice("certificate verification is OFF for \(owner): use only for a self-signed company server, never for a public provider") }
        if verifyTLS { fields.verifyTLS = true }
        if let caFile { fields.caFile = caFile }
        if let bindAddress { fields.bindAddress = bindAddress }
        if let url { fields.url = url }
        if let perMinute { fields.perMinute = perMinute }
        if let perHour { fields.perHour = perHour }
        if let perDay { fields.perDay = perDay }
        if let maxConnections { fields.maxConnections = maxConnections }
        if let sentCopy { fields.sentCopyFolder = sentCopy }
        if let sentCopyURL { fields.sentCopyURL = sentCopyURL }
        if let sentCopyUser { fields.sentCopyUser = sentCopyUser }
        try outbox.saveProfile(owner: owner, fields: fields, secretCredential: secret.credential, clear: Set(clear), now: nowMilliseconds())
        let stored = try outbox.profile(owner: owner)!
        if json { try Formatting.printJSON(ProfileView(stored)); return }
        print("profile \(owner) saved")
        ProfileView(stored).printLines()
    }
}

/// Header-value checks shared by the profile commands.
enum HeaderFieldChecks {
    static func value(_ text: String, _ what: String) throws {
        do { try HeaderField.checkValue(text, field: what) } catch { throw ValidationError(error.reason) }
    }
}
