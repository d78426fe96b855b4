import ArgumentParser
import Foundation
import OutboxCore
import OutboxDaemon
import OutboxStore
import OutboxTransport

/// `outbox profile set OWNER …`: create or change an owner's profile, field by field.
struct ProfileSetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Create or update an owner's profile; unset fields are inherited.",
        discussion: """
            Only the fields you give change; the others keep their value, or are inherited from the \
            global profile (outbox settings set global-profile OWNER) when never set. An empty --user \
            means: do not authenticate. When --tls is omitted it follows the port, presets included: 465 is \
            SSL (implicit TLS), others STARTTLS. Setting a server (--host, --port, --tls, --user or a password) \
            without --mode on an owner who would send through the relay makes the mode smtp. Settings that \
            would not take effect are named on stderr. With --test the new settings are tried first (as \
            outbox profile test does) and saved only when the test passes. Examples:
              outbox profile set mari --user mari@firma.ee --password-stdin
              outbox profile set firma --preset zone --port 465 --user info@firma.ee --password-file pw.txt --from info@firma.ee
              outbox profile set mari --preset gmail --user mari@gmail.com --password-stdin --test --to mari@gmail.com
            """)

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The owner (the user id your application puts on messages).") var owner: String
    @Option(help: "Fill host, port and TLS for a provider: \(ProfilePreset.allCases.map(\.rawValue).joined(separator: ", ")).") var preset: String?
    @Option(help: "Sender mode: \(SenderMode.allCases.map(\.rawValue).joined(separator: ", ")).") var mode: String?
    @Option(help: "SMTP server host name.") var host: String?
    @Option(help: "SMTP port (25, 465, 587).") var port: Int?
    @Option(help: "ssl (implicit TLS, port 465), starttls (also written startssl or tls, as the guides do) or none.") var tls: String?
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
    @Option(name: .customLong("recipients-per-day"), help: "At most this many envelope recipients per rolling 24 hours (Microsoft 365: 10,000).")
    var recipientsPerDay: Int?
    @Option(name: .customLong("max-connections"), help: "At most this many open SMTP connections (1-1024; default: the daemon's connections-per-profile).")
    var maxConnections: Int?
    @Option(name: .customLong("clear"), help: ArgumentHelp("Reset a field to inherited (repeatable): \(Self.clearable.sorted().joined(separator: ", ")).", valueName: "field"))
    var clear: [String] = []
    @Flag(name: .customLong("from-login"), inversion: .prefixedNo,
          help: "Send as the owner's own login (an address) when the owner has no --from of their own (default: on).")
    var fromLogin: Bool?
    @Flag(name: .customLong("allow-plaintext-auth"), help: "Allow --tls none with a password to a server that is not on this machine.")
    var allowPlaintextAuth = false
    @Flag(help: "Test the new settings first (as outbox profile test) and save them only when the test passes.") var test = false
    @OptionGroup var testOptions: ProfileTestOptions
    @Flag(help: "Print the stored profile as JSON.") var json = false
    @Option(name: .customLong("sent-copy"), help: ArgumentHelp(
        "Append every message sent (mode smtp) to this IMAP folder, e.g. Sent; mode m365-oauth: the Sent folder searched over XOAUTH2 "
            + "when an outcome is unknown, e.g. \"Sent Items\" (no copy is appended).", valueName: "folder"))
    var sentCopy: String?
    @Option(name: .customLong("sent-copy-url"), help: ArgumentHelp("IMAP server of the copy (default: imaps://HOST:993 of the SMTP host).", valueName: "url"))
    var sentCopyURL: String?
    @Option(name: .customLong("sent-copy-user"), help: ArgumentHelp("IMAP login of the copy (default: the SMTP user; the password is the profile's).", valueName: "user"))
    var sentCopyUser: String?

    static let clearable = ProfileFields.fieldNames

    func validate() throws {
        if let preset, ProfilePreset(rawValue: preset) == nil { throw ValidationError("unknown --preset '\(preset)'; known: \(ProfilePreset.allCases.map(\.rawValue).joined(separator: ", "))") }
        if let mode, SenderMode(rawValue: mode) == nil { throw ValidationError("unknown --mode '\(mode)'; known: \(SenderMode.allCases.map(\.rawValue).joined(separator: ", "))") }
        if let tls, TLSMode(word: tls) == nil { throw ValidationError("--tls must be ssl (implicit TLS), starttls (startssl, tls) or none, not '\(tls)'") }
        if let tls, tls.lowercased() == "tls", (port ?? preset.flatMap(ProfilePreset.init(rawValue:))?.port) == 465 {
            throw ValidationError("--tls tls means STARTTLS (as the guides write StartSSL/SSL/TLS), but port 465 is SSL (implicit TLS): "
                + "write --tls ssl, or leave --tls out")
        }
        if !test, testOptions.to != nil { throw ValidationError("--to sends a test message with --test; give --test too") }
        try testOptions.validate()
        if let port, !(1...65535).contains(port) { throw ValidationError("--port must be between 1 and 65535") }
        if let host, host.isEmpty || host.contains(where: { $0 == " " || $0 == "/" || $0.isNewline }) { throw ValidationError("--host '\(host)' is not a host name") }
        for (name, value) in [("--from", from), ("--reply-to", replyTo), ("--archive-bcc", archiveBcc)] {
            if let value { do { _ = try Mailbox.parse(value) } catch { throw ValidationError("\(name): \(error.reason)") } }
        }
        if let fromName { do { try HeaderFieldChecks.value(fromName, "--from-name") } }
        if noVerifyTLS && verifyTLS { throw ValidationError("give --verify-tls or --no-verify-tls, not both") }
        for limit in [perMinute, perHour, perDay, recipientsPerDay].compactMap({ $0 }) where limit < 1 { throw ValidationError("rate limits must be at least 1") }
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
        if database.isPostgres { return try runOnPostgres() }
        let outbox = try database.open()
        let stored = try Failure.guarding { try outbox.profileLayers(owner: owner) }
        // The daemon's view (relay, [reply-to]) for the checks; without a readable outbox.conf, no relay.
        let routing = try? SystemRelay.routing(config: testOptions.config, withSecret: false)
        let fields = try checkedChange(stored: stored, routing: routing)
        let resolved = resolve(fields, stored, routing?.systemRelay ?? ProfileFields())
        if let routing, routing.dkim.signModes.contains(resolved.mode),
            case .success(let identity) = routing.senderPolicy.identity(for: resolved, token: "check"),
            let domain = identity.from.address.split(separator: "@").last.map({ $0.lowercased() }), try outbox.dkimKeys(domain: domain).isEmpty
        {
            Terminal.notice("warning: \(owner) cannot send yet: mode \(resolved.mode.rawValue) signs with DKIM and there is no key for \(domain): "
                + "outbox dkim keygen --domain \(domain) --selector SELECTOR (its mail is held until then)")
        }
        try noteOAuthSignIn(resolved, outbox, stored)
        if test {
            var candidate = (stored.own ?? ProfileFields()).applying(fields, clearing: Set(clear))
            if let name = secret.credential {
                do { candidate.secret = try Credentials.read(name: name) } catch { throw ValidationError("--password-credential: \(error)") }
            }
            guard try testOptions.test(owner: owner, own: candidate, global: stored.global, tokens: outbox) else {
                Terminal.error("the test failed; nothing was saved")
                throw ExitCode.failure
            }
        }
        try outbox.saveProfile(owner: owner, fields: fields, secretCredential: secret.credential, clear: Set(clear), now: nowMilliseconds())
        try printSaved(outbox.profile(owner: owner)!)
    }

    /// The saved profile, as JSON with `--json`.
    func printSaved(_ record: ProfileRecord) throws {
        if json { try Formatting.printJSON(ProfileView(record)); return }
        print("profile \(owner) saved")
        ProfileView(record).printLines()
    }

    /// The fields this command sets, checked against what is stored and what the daemon
    /// sees: the implied mode and app-password spaces said, a clear-text password or a
    /// server without a host refused, unused options and a route that cannot send warned of.
    func checkedChange(stored: (own: ProfileFields?, global: ProfileFields?), routing: DeliveryConfiguration?) throws -> ProfileFields {
        var fields = try change()
        let relay = routing?.systemRelay ?? ProfileFields()
        let credential = secret.credential != nil
        if let implied = ProfileChangeCheck.impliedMode(fields, secretCredential: credential, stored: stored.own,
                                                        inherited: stored.global?.mode ?? .system) {
            fields.mode = implied
            Terminal.notice("mode \(implied.rawValue): implied by the server settings given (give --mode system to keep sending through the relay)")
        }
        if var password = fields.secret {
            let resolvedHost = resolve(fields, stored, relay).host
            let provider = preset.flatMap(ProfilePreset.init(rawValue:)) ?? resolvedHost.flatMap(ProfilePreset.forHost)
            if let provider, provider.usesAppPasswords, password.contains(" ") {
                let spaces = password.filter { $0 == " " }.count
                password.removeAll { $0 == " " }
                fields.secret = password
                Terminal.notice("removed \(spaces) space(s) from the app password (\(provider.rawValue) shows app passwords in groups; enter them without spaces)")
            }
        }
        let resolved = resolve(fields, stored, relay)
        try refusePlaintextPassword(resolved, changesLogin: fields.secret != nil || credential || fields.tls != nil || fields.host != nil)
        if mode == nil, preset == nil, stored.own?.mode == nil, fields.mode == .smtp, resolved.host == nil {
            Terminal.error("\(owner) would send through its own server (mode smtp, implied by these settings), but no host is known: "
                + "give --host (or --preset), or --mode system to keep sending through the relay; nothing was saved")
            throw ExitCode(65)
        }
        for unused in ProfileChangeCheck.unused(fields, secretCredential: credential, resolved: resolved) {
            Terminal.notice("warning: \(unused.option) is not used: \(unused.reason)")
        }
        // A relay this command cannot see may still be the daemon's (OUTBOX_RELAY in its unit): not warned about.
        if let routing, !resolved.mode.sendsViaRelay || relay.host != nil,
            case .misconfigured(let reason) = DeliveryRoute.plan(resolved, configuration: routing)
        {
            Terminal.notice("warning: \(owner) cannot send yet: \(reason) (its mail is held until then)")
        }
        return fields
    }

    /// The fields this command sets, from the options (a password read from its source).
    private func change() throws -> ProfileFields {
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
        // The port decides the TLS mode unless --tls is given, presets included.
        if let port {
            fields.port = port
            fields.tls = TLSMode.forPort(port)
        }
        if let tls { fields.tls = TLSMode(word: tls) }
        if let user { fields.username = user }
        fields.secret = try secret.read()
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
        if let recipientsPerDay { fields.recipientsPerDay = recipientsPerDay }
        if let maxConnections { fields.maxConnections = maxConnections }
        if let sentCopy { fields.sentCopyFolder = sentCopy }
        if let sentCopyURL { fields.sentCopyURL = sentCopyURL }
        if let sentCopyUser { fields.sentCopyUser = sentCopyUser }
        fields.fromLogin = fromLogin
        return fields
    }

    /// The owner's profile as it resolves once `fields` are saved.
    func resolve(_ fields: ProfileFields, _ stored: (own: ProfileFields?, global: ProfileFields?), _ relay: ProfileFields) -> ResolvedProfile {
        let own = (stored.own ?? ProfileFields()).applying(fields, clearing: Set(clear))
        return ProfileResolver.resolve(owner: owner, own: own, global: stored.global, system: relay)
    }

    /// A password in clear text (`--tls none`) is said, and refused to a server that is not
    /// on this machine unless `--allow-plaintext-auth` is given.
    private func refusePlaintextPassword(_ resolved: ResolvedProfile, changesLogin: Bool) throws {
        guard changesLogin, resolved.mode.usesOwnSMTPServer, resolved.tls == .none, resolved.authenticates else { return }
        let host = resolved.host ?? ""
        let loopback = host == "localhost" || host == "::1" || host.hasPrefix("127.")
        guard loopback || allowPlaintextAuth else {
            Terminal.error("with --tls none the password of \(owner) would travel in clear text to \(host): use --tls starttls or ssl, "
                + "or give --allow-plaintext-auth for a server on a trusted network; nothing was saved")
            throw ExitCode(65)
        }
        Terminal.notice("warning: with --tls none the password of \(owner) travels in clear text to \(host.isEmpty ? "the server" : host)")
    }

    /// The next step when the profile sends with OAuth and neither it nor the company
    /// profile it inherits from is signed in yet.
    func noteOAuthSignIn(_ resolved: ResolvedProfile, _ outbox: any ProfileStore, _ stored: (own: ProfileFields?, global: ProfileFields?)) throws {
        if resolved.mode == .m365OAuth, try !hasOAuthSignIn(outbox, stored) {
            Terminal.notice("next step: sign in to Microsoft 365 with outbox profile oauth \(owner) --client-id ID --tenant TENANT "
                + "(the application id and tenant of your Entra app registration; see the README, Microsoft 365)")
        }
        if resolved.mode == .gmailOAuth, try !hasOAuthSignIn(outbox, stored) {
            Terminal.notice("next step: sign in to Google with outbox profile oauth \(owner) --provider google --client-id ID "
                + "--client-secret-credential NAME (your Desktop app OAuth client; see the README, Gmail with OAuth)")
        }
    }

    /// Whether the owner, or the company profile it inherits from, holds an OAuth sign-in.
    func hasOAuthSignIn(_ outbox: any ProfileStore, _ stored: (own: ProfileFields?, global: ProfileFields?)) throws -> Bool {
        // A sealed token this user cannot open is a sign-in all the same.
        func signedIn(_ columns: OutboxDatabase.OAuthColumns?) -> Bool { columns?.refreshToken != nil || columns?.tokensUnavailable != nil }
        if try signedIn(outbox.oauthColumns(owner: owner)) { return true }
        guard stored.global != nil, let global = try outbox.setting(OutboxDatabase.globalProfileSetting) else { return false }
        return try signedIn(outbox.oauthColumns(owner: global))
    }
}

/// Header-value checks shared by the profile commands.
enum HeaderFieldChecks {
    static func value(_ text: String, _ what: String) throws {
        do { try HeaderField.checkValue(text, field: what) } catch { throw ValidationError(error.reason) }
    }
}
