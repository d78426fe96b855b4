import ArgumentParser
import Foundation
import OutboxCore
import OutboxStore
import OutboxTransport

/// `outbox profile oauth OWNER`: Microsoft 365 sign-in with the OAuth 2.0 device
/// authorization grant (RFC 8628); stores the tokens on the owner's profile.
struct ProfileOAuthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oauth", abstract: "Sign an owner in to Microsoft 365 (OAuth 2.0 device code) and store the tokens.",
        discussion: """
            Prints a code and a URL: open the URL on any device, enter the code and sign in as the mailbox. \
            The refresh token is stored on the owner's profile (mode m365-oauth, smtp.office365.com:587 STARTTLS \
            unless set otherwise); the daemon refreshes the access token from it. Tokens are never printed. \
            Run again to re-authorise when the daemon reports that the refresh token no longer works.
            """)

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The owner.") var owner: String
    @Option(help: ArgumentHelp("The OAuth authority (default: the stored one, else \(OAuthAuthority.microsoft)).", valueName: "url"))
    var authority: String?
    @Option(help: ArgumentHelp("The tenant: name, domain or id (default: the stored one, else \(OAuthAuthority.defaultTenant)).", valueName: "tenant"))
    var tenant: String?
    @Option(name: .customLong("client-id"), help: ArgumentHelp("The application (client) id of the company's app registration (required unless stored).", valueName: "id"))
    var clientID: String?
    @Option(help: ArgumentHelp("Scopes to request.", valueName: "scopes")) var scope = OAuthAuthority.defaultScope
    @Option(name: .customLong("timeout"), help: "Seconds to wait for the authority on each request.") var timeout = 30

    func validate() throws {
        guard (1...600).contains(timeout) else { throw ValidationError("--timeout must be 1 to 600 seconds") }
        guard !scope.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--scope must not be empty") }
    }

    func run() throws {
        let outbox = try database.open()
        let stored = try Failure.guarding { try outbox.oauthColumns(owner: owner) }
        let client: OAuthClient
        do {
            let place = try OAuthAuthority(url: authority ?? stored?.authority ?? OAuthAuthority.microsoft,
                                           tenant: tenant ?? stored?.tenant ?? OAuthAuthority.defaultTenant)
            guard let id = clientID ?? stored?.clientID else {
                throw OAuthError(.missingClientID, "--client-id is required: the application (client) id of the company's app registration")
            }
            var configured = try OAuthClient(authority: place, clientID: id, scope: scope)
            configured.connectTimeout = .seconds(timeout)
            configured.requestTimeout = .seconds(timeout)
            client = configured
        } catch let error as OAuthError {
            Terminal.error(error.reason)
            throw ExitCode.validationFailure
        }
        do {
            let authorization = try client.requestDeviceAuthorization()
            say("To sign in owner \(owner), open \(authorization.verificationURI) and enter the code \(authorization.userCode)")
            if let complete = authorization.verificationURIComplete { say("(or open \(complete))") }
            let expiry = OAuthClock.now() + Int64(authorization.expiresIn.components.seconds) * 1000
            say("The code expires in \(authorization.expiresIn.components.seconds / 60) min \(authorization.expiresIn.components.seconds % 60) s "
                + "(\(Formatting.time(expiry))). Waiting for sign-in…")
            let tokens = try client.pollForTokens(authorization)
            try Failure.guarding {
                try outbox.saveOAuthAuthorisation(
                    owner: owner, authority: client.authority.url, tenant: client.authority.tenant, clientID: client.clientID,
                    refreshToken: tokens.refreshToken?.value, accessToken: tokens.accessToken.value, expiresAt: tokens.expiresAt,
                    now: nowMilliseconds())
            }
            say("Signed in. Stored the tokens on the profile of owner \(owner) (access token valid until \(Formatting.time(tokens.expiresAt))).")
            if tokens.refreshToken == nil {
                Terminal.notice("the authority issued no refresh token (is offline_access in --scope?); sending stops when the access token expires")
            }
            try notices(outbox)
        } catch let error as OAuthError {
            Terminal.error(error.reason)
            throw ExitCode.failure
        }
    }

    /// Points out what still keeps the profile from sending with the new tokens.
    private func notices(_ outbox: OutboxDatabase) throws {
        guard let fields = try Failure.guarding({ try outbox.profileFields(owner: owner) }) else { return }
        if let mode = fields.mode, mode != .m365OAuth {
            Terminal.notice("the profile's mode is \(mode.rawValue), so the tokens are not used; outbox profile set \(owner) --mode m365-oauth")
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
