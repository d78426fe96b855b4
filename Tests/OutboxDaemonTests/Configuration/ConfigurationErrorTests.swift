import Testing
@testable import OutboxDaemon

/// Every bad file is refused with its file, line and a reason; secrets are never echoed.
@Suite struct ConfigurationErrorTests {
    private func load(_ text: String) throws -> (ConfigurationError, String) {
        let directory = try TemporaryDirectory()
        let file = try directory.write("outbox.conf", text)
        let error = try #require(throws: ConfigurationError.self) {
            try OutboxConfiguration.load(path: file, environment: ["OUTBOX_DB": "/tmp/x.db"])
        }
        return (error, file)
    }

    @Test func unknownKeyNamesFileLineSectionAndSuggestion() throws {
        let text = Array(repeating: "# comment", count: 10).joined(separator: "\n") + "\n[delivery]\nwrokers = 4\n"
        let (error, file) = try load(text)
        #expect(error.code == .unknownKey)
        #expect(error.line == 12)
        #expect(error.description == "\(file):12: unknown key 'wrokers' in [delivery]; did you mean 'workers'?")
    }

    @Test(arguments: [
        ("[delivery]\nworkers = four\n", ConfigurationError.Code.invalidNumber, 2),
        ("[delivery]\nworkers = 0\n", .outOfRange, 2),
        ("[delivery]\nlease-seconds = 5m\n", .invalidNumber, 2),
        ("[retry]\nfirst-delay = soon\n", .invalidDuration, 2),
        ("[retry]\n\nmax-delay = 5x\n", .invalidDuration, 3),
        ("[retry]\njitter = 1.5\n", .outOfRange, 2),
        ("[retry]\nfirst-delay = 1h\nmax-delay = 5m\n", .outOfRange, 3),
        ("[relay]\nhost = r\ntls = tls\n", .invalidTLSMode, 3),
        ("[relay]\nhost = r\ntls = smtp\n", .invalidTLSMode, 3),
        ("[relay]\nhost = r\nverify-tls = maybe\n", .invalidBoolean, 3),
        ("[relay]\nhost = r\nport = 70000\n", .outOfRange, 3),
        ("[relay]\nport = 25\n", .missingValue, 1),
        ("[relay]\nhost = r\npassword-credential = relay-password\n", .missingValue, 3),
        ("[relay]\nhost = r\nusername = u\npassword-credential = ../etc/shadow\n", .invalidValue, 4),
        ("[log]\nlevel = verbose\n", .invalidLogLevel, 2),
        ("[logging]\nlevel = info\n", .unknownSection, 1),
        ("workers = 4\n", .keyOutsideSection, 1),
        ("[delivery]\nworkers = 4\nworkers = 5\n", .duplicateKey, 3),
        ("[delivery\n", .syntax, 1),
        ("[delivery]\njust some words\n", .syntax, 2),
        ("[relay]\nhost = \"unterminated\n", .syntax, 2),
        ("[reply-to]\ncompany-address = acme\n", .missingValue, 2),
        ("[bounces]\nmailbox-url = http://x/\n", .invalidValue, 2),
        ("[database]\npath =\n", .missingValue, 2),
    ])
    func badValuesAreErrorsWithTheirLine(text: String, code: ConfigurationError.Code, line: Int) throws {
        let (error, file) = try load(text)
        #expect(error.code == code, "\(error)")
        #expect(error.line == line, "\(error)")
        #expect(error.description.hasPrefix("\(file):\(line): "))
    }

    @Test(arguments: ["[relay]\nhost = r\npassword = hunter2-secret\n", "[bounces]\nmailbox-password = hunter2-secret\n"])
    func passwordInFileIsRefusedWithoutEchoingIt(text: String) throws {
        let (error, _) = try load(text)
        #expect(error.code == .passwordInFile)
        #expect(error.line == (text.hasPrefix("[relay]") ? 3 : 2))
        #expect(error.description.contains("credential"))
        #expect(!error.description.contains("hunter2"))
        #expect(!String(reflecting: error).contains("hunter2"))
    }

    @Test func passwordInMailboxURLIsRefusedWithoutEchoingIt() throws {
        let (error, _) = try load("[bounces]\nmailbox-url = imaps://bounces:hunter2@imap.example.ee/INBOX\n")
        #expect(error.code == .passwordInFile)
        #expect(!error.description.contains("hunter2"))
    }

    @Test func quotingAndCommentsFollowTheDocumentedRules() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("outbox.conf", """
            ; semicolon comment
            [reply-to]
            company-address = "acme#1"   # a quoted # is kept
            event-domain = events.example.ee#x
            [relay]
            host = relay.example.ee # trailing comment
            ca-file = "/etc/ssl/\\"odd\\" \\\\ name.pem"
            """)
        let configuration = try OutboxConfiguration.load(path: file, environment: ["OUTBOX_DB": "/tmp/x.db"])
        #expect(configuration.replyTo?.companyAddress == "acme#1")
        #expect(configuration.replyTo?.eventDomain == "events.example.ee#x")
        #expect(configuration.relay?.host == "relay.example.ee")
        #expect(configuration.relay?.caFile == #"/etc/ssl/"odd" \ name.pem"#)
    }
}
