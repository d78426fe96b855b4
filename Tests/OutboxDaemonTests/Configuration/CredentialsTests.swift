import Testing
@testable import OutboxDaemon

@Suite struct CredentialsTests {
    @Test func readsFromCredentialsDirectoryTrimmingOneNewline() throws {
        let directory = try TemporaryDirectory()
        try directory.write("relay-password", "abcd efgh ijkl\n\n")
        try directory.write("plain", "s3cret")
        try directory.write("crlf", "s3cret\r\n")
        let environment = ["CREDENTIALS_DIRECTORY": directory.path]
        #expect(try Credentials.read(name: "relay-password", environment: environment) == "abcd efgh ijkl\n")
        #expect(try Credentials.read(name: "plain", environment: environment) == "s3cret")
        #expect(try Credentials.read(name: "crlf", environment: environment) == "s3cret")
    }

    @Test func missingCredentialSaysHowToProvideIt() throws {
        let directory = try TemporaryDirectory()
        let error = try #require(throws: CredentialError.self) {
            try Credentials.read(name: "relay-password", environment: ["CREDENTIALS_DIRECTORY": directory.path])
        }
        #expect(error.code == .notFound)
        #expect(error.description.contains("LoadCredential=relay-password"))
    }

    @Test func noCredentialsDirectory() throws {
        let error = try #require(throws: CredentialError.self) { try Credentials.read(name: "relay-password", environment: [:]) }
        #expect(error.code == .noCredentialsDirectory)
    }

    @Test(arguments: ["", "..", "../etc/shadow", "a/b", "with space"])
    func invalidNamesAreRefused(name: String) throws {
        let error = try #require(throws: CredentialError.self) {
            try Credentials.read(name: name, environment: ["CREDENTIALS_DIRECTORY": "/tmp"])
        }
        #expect(error.code == .invalidName)
    }

    @Test func emptyCredentialIsAnError() throws {
        let directory = try TemporaryDirectory()
        try directory.write("empty", "\n")
        let environment = ["CREDENTIALS_DIRECTORY": directory.path]
        let error = try #require(throws: CredentialError.self) { try Credentials.read(name: "empty", environment: environment) }
        #expect(error.code == .empty)
    }
}
