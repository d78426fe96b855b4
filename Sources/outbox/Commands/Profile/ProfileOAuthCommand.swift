import ArgumentParser
import Foundation
import OutboxCore
import OutboxDaemon
import OutboxStore
import OutboxTransport

/// `outbox profile oauth OWNER`: signs an owner in with OAuth 2.0 and stores the tokens on
/// the owner's profile — Microsoft 365 with the device authorization grant (RFC 8628),
/// Google with the authorization code grant, PKCE and a loopback redirect (RFC 7636, RFC 8252).
struct ProfileOAuthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oauth", abstract: "Sign an owner in to Microsoft 365 or Google (OAuth 2.0) and store the tokens.",
        discussion: """
            Microsoft (the default): prints a code and a URL; open the URL on any device, enter the code and sign in as \
            the mailbox (mode m365-oauth, smtp.office365.com:587 STARTTLS unless set otherwise). \
            Google (--provider google): prints a URL to open in a browser and waits for the browser to come back to \
            http://127.0.0.1:PORT/. On a server without a browser, either forward the port first \
            (ssh -L PORT:127.0.0.1:PORT SERVER, with a fixed --redirect-port) and open the URL on your machine, or open it \
            anywhere and paste the address the browser ends on (http://127.0.0.1:PORT/?state=…&code=…) into this terminal \
            (mode gmail-oauth, smtp.gmail.com:587 STARTTLS unless set otherwise). \
            The refresh token is stored sealed on the owner's profile; the daemon refreshes the access token from it. \
            Tokens, codes and verifiers are never printed. Run again to re-authorise when the daemon reports that the \
            refresh token no longer works.
            """)

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The owner.") var owner: String
    @Option(help: ArgumentHelp("Whose sign-in: microsoft or google (default: the stored one, else microsoft).", valueName: "provider"))
    var provider: OAuthProvider?
    @Option(help: ArgumentHelp("The OAuth authority (default: the stored one, else the provider's).", valueName: "url"))
    var authority: String?
    @Option(help: ArgumentHelp("Microsoft: the tenant, name, domain or id (default: the stored one, else \(OAuthAuthority.defaultTenant)).",
                               valueName: "tenant"))
    var tenant: String?
    @Option(name: .customLong("client-id"), help: ArgumentHelp("The client id of the company's app registration or OAuth client (required unless stored).", valueName: "id"))
    var clientID: String?
    @Option(name: .customLong("client-secret-credential"), help: ArgumentHelp(
        "Google: the systemd credential holding the OAuth client's secret ($CREDENTIALS_DIRECTORY/NAME, else /etc/credstore/NAME; "
            + "the daemon reads it with LoadCredential=NAME). Default: the stored one.", valueName: "name"))
    var clientSecretCredential: String?
    @Option(name: .customLong("redirect-port"), help: "Google: the loopback port the browser returns to (default: any free port).")
    var redirectPort = 0
    @Option(name: .customLong("sign-in-timeout"), help: "Google: seconds to wait for the sign-in to come back.") var signInTimeout = 600
    @Option(help: ArgumentHelp("Scopes to request (default: the provider's: SMTP.Send offline_access, or https://mail.google.com/).",
                               valueName: "scopes"))
    var scope: String?
    @Option(name: .customLong("timeout"), help: "Seconds to wait for the authority on each request.") var timeout = 30

    func validate() throws {
        guard (1...600).contains(timeout) else { throw ValidationError("--timeout must be 1 to 600 seconds") }
        guard (0...65535).contains(redirectPort) else { throw ValidationError("--redirect-port must be 0 to 65535") }
        guard (10...3600).contains(signInTimeout) else { throw ValidationError("--sign-in-timeout must be 10 to 3600 seconds") }
        if let scope, scope.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--scope must not be empty") }
        if let clientSecretCredential, !Credentials.isValidName(clientSecretCredential) {
            throw ValidationError("--client-secret-credential takes a credential name without '/' or spaces")
        }
    }

    func run() throws {
        try database.withProfileStore(signIn)
    }

    /// Signs in and stores the tokens on `outbox`'s profile of the owner.
    private func signIn(_ outbox: any ProfileStore) throws {
        let stored = try Failure.guarding { try outbox.oauthColumns(owner: owner) }
        let storedProvider = stored?.authority == nil ? nil : OAuthProvider(rawValue: stored?.provider ?? "microsoft")
        let chosen = provider ?? storedProvider ?? .microsoft
        let sameProvider = storedProvider == chosen
        let client: OAuthClient
        do {
            client = try makeClient(chosen, stored: sameProvider ? stored : nil)
        } catch let error as OAuthError {
            Terminal.error(error.reason)
            throw ExitCode.validationFailure
        }
        do {
            let tokens = chosen == .google ? try signInWithGoogle(client, outbox) : try signInWithDeviceCode(client)
            let mode: SenderMode = chosen == .google ? .gmailOAuth : .m365OAuth
            try Failure.guarding {
                try outbox.saveOAuthAuthorisation(
                    owner: owner, mode: mode, provider: chosen.rawValue, authority: client.authority.url, tenant: client.authority.tenant,
                    clientID: client.clientID, clientSecretCredential: chosen == .google ? secretCredential(sameProvider ? stored : nil) : nil,
                    refreshToken: tokens.refreshToken?.value, accessToken: tokens.accessToken.value, expiresAt: tokens.expiresAt,
                    now: nowMilliseconds())
            }
            say("Signed in. Stored the tokens on the profile of owner \(owner) (access token valid until \(Formatting.time(tokens.expiresAt))).")
            if tokens.refreshToken == nil {
                Terminal.notice(chosen == .google
                    ? "Google issued no refresh token; sending stops when the access token expires (revoke Outbox's access at "
                        + "myaccount.google.com/permissions and sign in again)"
                    : "the authority issued no refresh token (is offline_access in --scope?); sending stops when the access token expires")
            }
            try notices(outbox, mode: mode)
        } catch let error as OAuthError {
            Terminal.error(error.reason)
            throw ExitCode.failure
        }
    }

    private func makeClient(_ chosen: OAuthProvider, stored: OutboxDatabase.OAuthColumns?) throws -> OAuthClient {
        let place: OAuthAuthority
        switch chosen {
        case .microsoft:
            place = try OAuthAuthority(url: authority ?? stored?.authority ?? OAuthAuthority.microsoft,
                                       tenant: tenant ?? stored?.tenant ?? OAuthAuthority.defaultTenant)
        case .google:
            if tenant != nil { throw OAuthError(.invalidAuthority, "--tenant is for Microsoft; Google has none") }
            place = try OAuthAuthority(google: authority ?? stored?.authority ?? OAuthAuthority.google)
        }
        guard let id = clientID ?? stored?.clientID else {
            throw OAuthError(.missingClientID, chosen == .google
                ? "--client-id is required: the client id of the company's OAuth client (type Desktop app) in the Google Cloud console"
                : "--client-id is required: the application (client) id of the company's app registration")
        }
        var configured = try OAuthClient(authority: place, clientID: id, scope: scope)
        configured.connectTimeout = .seconds(timeout)
        configured.requestTimeout = .seconds(timeout)
        if chosen == .google, let name = secretCredential(stored) {
            do {
                configured.clientSecret = OAuthToken(try Credentials.read(name: name, environment: credentialEnvironment))
            } catch {
                throw OAuthError(.missingClientID, "--client-secret-credential: \(error)")
            }
        }
        return configured
    }

    private func secretCredential(_ stored: OutboxDatabase.OAuthColumns?) -> String? {
        clientSecretCredential ?? stored?.clientSecretCredential
    }

    /// The environment to read credentials in: `$CREDENTIALS_DIRECTORY` when set (under
    /// systemd-run), else systemd's store /etc/credstore, where the daemon's unit loads it from.
    private var credentialEnvironment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        if (environment["CREDENTIALS_DIRECTORY"] ?? "").isEmpty { environment["CREDENTIALS_DIRECTORY"] = "/etc/credstore" }
        return environment
    }

    private func signInWithDeviceCode(_ client: OAuthClient) throws(OAuthError) -> OAuthTokenSet {
        let authorization = try client.requestDeviceAuthorization()
        say("To sign in owner \(owner), open \(authorization.verificationURI) and enter the code \(authorization.userCode)")
        if let complete = authorization.verificationURIComplete { say("(or open \(complete))") }
        let expiry = OAuthClock.now() + Int64(authorization.expiresIn.components.seconds) * 1000
        say("The code expires in \(authorization.expiresIn.components.seconds / 60) min \(authorization.expiresIn.components.seconds % 60) s "
            + "(\(Formatting.time(expiry))). Waiting for sign-in…")
        return try client.pollForTokens(authorization)
    }

    private func signInWithGoogle(_ client: OAuthClient, _ outbox: any ProfileStore) throws -> OAuthTokenSet {
        let listener = try LoopbackRedirectListener(port: redirectPort)
        let hint = try Failure.guarding { try outbox.profileFields(owner: owner) }?.username.flatMap { $0.contains("@") ? $0 : nil }
        let request = client.authorizationRequest(redirectURI: listener.redirectURI, loginHint: hint)
        let until = OAuthClock.now() + Int64(signInTimeout) * 1000
        say("To sign in owner \(owner), open this URL in a browser and sign in as the mailbox:\n\n  \(request.url)\n")
        say("Waiting until \(Formatting.time(until)) for the browser to come back to \(listener.redirectURI).")
        say("No browser on this machine? Either forward the port and open the URL on your own machine "
            + "(ssh -L \(listener.port):127.0.0.1:\(listener.port) THIS-SERVER; give --redirect-port to keep it fixed), or open the URL "
            + "anywhere and, when the browser cannot load 127.0.0.1, paste the whole address from its address bar here and press Enter.")
        let response = try listener.wait(timeout: .seconds(signInTimeout)) { _ in
            Terminal.notice("that is not the address the browser ended on (it starts with \(listener.redirectURI) and has code= and state=); "
                + "paste the whole address")
        }
        return try client.redeem(response, of: request, now: OAuthClock.now())
    }

    /// Points out what still keeps the profile from sending with the new tokens.
    private func notices(_ outbox: any ProfileStore, mode expected: SenderMode) throws {
        guard let fields = try Failure.guarding({ try outbox.profileFields(owner: owner) }) else { return }
        if let mode = fields.mode, mode != expected {
            Terminal.notice("the profile's mode is \(mode.rawValue), so the tokens are not used; outbox profile set \(owner) --mode \(expected.rawValue)")
        }
        if (fields.username ?? "").isEmpty {
            Terminal.notice("XOAUTH2 needs the mailbox address as user name: outbox profile set \(owner) --user ADDRESS")
        }
    }

    /// Prints a line at once, also when stdout is a pipe (the user is waiting on it).
    private func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}

extension OAuthProvider: ExpressibleByArgument {}
