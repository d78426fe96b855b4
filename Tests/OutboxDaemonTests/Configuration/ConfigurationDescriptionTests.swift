import Testing
@testable import OutboxDaemon

@Suite struct ConfigurationDescriptionTests {
    @Test func descriptionIsLoadableConfigurationWithoutSecrets() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("outbox.conf", """
            [relay]
            host = relay.example.ee
            username = mailer
            password-credential = relay-password
            [retry]
            first-delay = 90s
            max-delay = 70m
            [bounces]
            mailbox-url = imaps://bounces@imap.example.ee/INBOX
            """)
        try directory.write("relay-password", "hunter2")
        let environment = ["OUTBOX_DB": "/tmp/x.db", "CREDENTIALS_DIRECTORY": directory.path]
        let configuration = try OutboxConfiguration.load(path: file, environment: environment)
        #expect(try Credentials.read(name: "relay-password", environment: environment) == "hunter2")
        let text = configuration.description
        #expect(!text.contains("hunter2"))
        #expect(!String(reflecting: configuration).contains("hunter2"))
        #expect(text.contains("password-credential = relay-password"))
        #expect(text.contains("first-delay = 90s"))
        #expect(text.contains("max-delay = 70m"))
        #expect(text.contains("give-up-after = 5d"))

        // The dump is itself a valid configuration file that loads to the same values.
        let again = try directory.write("again.conf", text)
        var reloaded = try OutboxConfiguration.load(path: again, environment: [:])
        reloaded.sourceFile = configuration.sourceFile
        #expect(reloaded == configuration)
    }
}
