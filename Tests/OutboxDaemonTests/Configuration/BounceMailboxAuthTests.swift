import Foundation
import OutboxTransport
import Testing
@testable import OutboxDaemon

/// `[bounces] mailbox-auth`: `password` (default) or `oauth:OWNER`, and what it may not be combined with.
@Suite struct BounceMailboxAuthTests {
    private func load(_ bounces: String) throws -> OutboxConfiguration {
        let directory = try TemporaryDirectory()
        let file = try directory.write("outbox.conf", "[bounces]\nmailbox-url = imaps://outlook.office365.com/INBOX\n" + bounces)
        return try OutboxConfiguration.load(path: file, environment: [:])
    }

    @Test func oauthNamesTheOwnerWhoseTokensLogIn() throws {
        let configuration = try load("mailbox-user = bounces@firma.ee\nmailbox-auth = oauth:bounces\n")
        #expect(configuration.bounces.mailboxAuth == .oauth(owner: "bounces"))
        let settings = try #require(try BounceMailboxSettings.make(configuration, environment: [:]))
        #expect(settings.bounces.mailboxAuth.oauthOwner == "bounces")
        #expect(settings.endpoint.password.isEmpty, "no password is read for an OAuth login")
    }

    @Test func passwordIsTheDefault() throws {
        #expect(try load("mailbox-user = b\n").bounces.mailboxAuth == .password)
        #expect(try load("mailbox-user = b\nmailbox-auth = password\n").bounces.mailboxAuth == .password)
    }

    @Test(arguments: ["oauth:", "oauth", "token:alice", "oauth:a:b"])
    func anythingElseIsRefusedWithItsLine(_ value: String) throws {
        let error = try #require(throws: ConfigurationError.self) { try load("mailbox-auth = \(value)\n") }
        #expect(error.code == .invalidValue && error.line == 3)
        #expect(error.description.contains("password or oauth:OWNER"))
    }

    @Test func oauthWithAPasswordCredentialOrWithoutAUserIsRefused() throws {
        let both = try load("mailbox-user = b\nmailbox-auth = oauth:b\nmailbox-password-credential = bounce-password\n")
        let conflict = try #require(throws: ConfigurationError.self) { try BounceMailboxSettings.make(both, environment: [:]) }
        #expect(conflict.description.contains("remove mailbox-password-credential"))
        let userless = try load("mailbox-auth = oauth:b\n")
        let missing = try #require(throws: ConfigurationError.self) { try BounceMailboxSettings.make(userless, environment: [:]) }
        #expect(missing.code == .missingValue && missing.description.contains("needs mailbox-user"))
    }
}
