import Foundation
import Logging
import OutboxCore
import Testing
@testable import OutboxDaemon

@Suite struct ConfigurationLoadTests {
    private let environment = ["OUTBOX_DB": "/tmp/outbox-test.db"]

    @Test func missingDefaultFileMeansDefaults() throws {
        // The default path does not exist on a test machine; check that assumption first.
        try #require(!FileManager.default.fileExists(atPath: OutboxConfiguration.defaultPath))
        let configuration = try OutboxConfiguration.load(path: nil, environment: environment)
        #expect(configuration.databasePath == "/tmp/outbox-test.db")
        #expect(configuration.delivery.workers == 4)
        #expect(configuration.delivery.lease == .seconds(300))
        #expect(configuration.delivery.pollInterval == .milliseconds(1000))
        #expect(configuration.retry.firstDelay == .seconds(300))
        #expect(configuration.retry.maxDelay == .seconds(4 * 3600))
        #expect(configuration.retry.giveUpAfter == .seconds(5 * 86_400))
        #expect(configuration.retry.jitter == 0.2)
        #expect(configuration.logLevel == .info)
        #expect(configuration.relay == nil)
        #expect(configuration.replyTo == nil)
        #expect(configuration.sourceFile == nil)
    }

    @Test func missingExplicitFileIsAnError() throws {
        let directory = try TemporaryDirectory()
        let error = try #require(throws: ConfigurationError.self) {
            try OutboxConfiguration.load(path: directory.path + "/absent.conf", environment: environment)
        }
        #expect(error.code == .fileNotFound)
        #expect(error.description.hasPrefix(directory.path + "/absent.conf: "))
    }

    @Test func readsEverySection() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("outbox.conf", """
            # Outbox configuration
            [database]
            path = /var/lib/outbox/queue.db

            [delivery]
            workers = 8            # more parallel sends
            lease-seconds = 120
            poll-interval-ms = 250
            connections-per-profile = 3

            [retry]
            first-delay = 30s
            max-delay = 70m
            give-up-after = 2d
            jitter = 0.5

            [relay]
            host = relay.example.ee
            tls = ssl
            username = "mailer@example.ee"
            password-credential = relay-password
            verify-tls = no
            ca-file = '/etc/ssl/company ca.pem'
            bind-address = 192.0.2.10
            helo-name = mail.example.ee

            [reply-to]
            company-address = acme
            event-domain = events.example.ee

            [bounces]
            domain = bounces.example.ee
            mailbox-url = imaps://imap.example.ee/INBOX
            mailbox-user = bounces
            mailbox-password-credential = bounce-password
            poll-interval = 2m

            [log]
            level = notice
            """)
        let configuration = try OutboxConfiguration.load(path: file, environment: [:])
        #expect(configuration.sourceFile == file)
        #expect(configuration.databasePath == "/var/lib/outbox/queue.db")
        #expect(configuration.delivery.workers == 8)
        #expect(configuration.delivery.lease == .seconds(120))
        #expect(configuration.delivery.pollInterval == .milliseconds(250))
        #expect(configuration.delivery.connectionsPerProfile == 3)
        #expect(configuration.retry.firstDelay == .seconds(30))
        #expect(configuration.retry.maxDelay == .seconds(70 * 60))
        #expect(configuration.retry.giveUpAfter == .seconds(2 * 86_400))
        #expect(configuration.retry.jitter == 0.5)
        let relay = try #require(configuration.relay)
        #expect(relay.host == "relay.example.ee")
        #expect(relay.port == 465)
        #expect(relay.tls == .tls)
        #expect(relay.username == "mailer@example.ee")
        #expect(relay.passwordCredential == "relay-password")
        #expect(relay.verifyTLS == false)
        #expect(relay.caFile == "/etc/ssl/company ca.pem")
        #expect(relay.bindAddress == "192.0.2.10")
        #expect(relay.heloName == "mail.example.ee")
        #expect(configuration.replyTo == ReplyToSettings(companyAddress: "acme", eventDomain: "events.example.ee"))
        #expect(configuration.bounces.domain == "bounces.example.ee")
        #expect(configuration.bounces.mailboxURL == "imaps://imap.example.ee/INBOX")
        #expect(configuration.bounces.mailboxUser == "bounces")
        #expect(configuration.bounces.mailboxPasswordCredential == "bounce-password")
        #expect(configuration.bounces.pollInterval == .seconds(120))
        #expect(configuration.logLevel == .notice)
    }

    @Test(arguments: [
        ("port = 465", 465, TLSMode.tls),
        ("port = 2525", 2525, .starttls),
        ("tls = none", 25, .none),
        ("tls = starttls", 587, .starttls),
        ("port = 2525\ntls = none", 2525, .none),
    ])
    func relayPortAndTLSDefaultFromEachOther(lines: String, port: Int, tls: TLSMode) throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("outbox.conf", "[relay]\nhost = 127.0.0.1\n\(lines)\n")
        let relay = try #require(try OutboxConfiguration.load(path: file, environment: environment).relay)
        #expect(relay.port == port)
        #expect(relay.tls == tls)
    }

    @Test func environmentOverridesTheFile() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("outbox.conf", """
            [database]
            path = /srv/outbox.db
            [delivery]
            workers = 2
            [relay]
            host = relay.example.ee
            username = mailer
            password-credential = relay-password
            [log]
            level = debug
            """)
        let configuration = try OutboxConfiguration.load(path: file, environment: [
            "OUTBOX_DB": "/tmp/other.db", "OUTBOX_LOG_LEVEL": "warning", "OUTBOX_WORKERS": "16",
            "OUTBOX_RELAY": "smtp://127.0.0.1:2525?tls=none",
        ])
        #expect(configuration.databasePath == "/tmp/other.db")
        #expect(configuration.logLevel == .warning)
        #expect(configuration.delivery.workers == 16)
        let relay = try #require(configuration.relay)
        #expect(relay.host == "127.0.0.1")
        #expect(relay.port == 2525)
        #expect(relay.tls == TLSMode.none)
        #expect(relay.username == "mailer", "OUTBOX_RELAY replaces the endpoint, not the account")
        #expect(relay.passwordCredential == "relay-password")
    }

    @Test(arguments: [
        ("smtps://smtp.example.ee", "smtp.example.ee", 465, TLSMode.tls),
        ("smtp://smtp.example.ee", "smtp.example.ee", 587, .starttls),
        ("smtp://[::1]:2525/", "::1", 2525, .starttls),
        ("SMTPS://mail.example.is:4650", "mail.example.is", 4650, .tls),
    ])
    func relayFromEnvironment(url: String, host: String, port: Int, tls: TLSMode) throws {
        let relay = try #require(try OutboxConfiguration.load(path: nil, environment: ["OUTBOX_RELAY": url, "OUTBOX_DB": "/tmp/x.db"]).relay)
        #expect(relay.host == host)
        #expect(relay.port == port)
        #expect(relay.tls == tls)
    }

    @Test(arguments: [
        ["OUTBOX_RELAY": "http://relay:25"], ["OUTBOX_RELAY": "smtp://user:secret@relay:25"], ["OUTBOX_RELAY": "smtp://relay:99999"],
        ["OUTBOX_RELAY": "smtps://relay?tls=none"], ["OUTBOX_WORKERS": "many"], ["OUTBOX_WORKERS": "0"], ["OUTBOX_LOG_LEVEL": "loud"],
    ])
    func badEnvironmentIsAnError(variables: [String: String]) throws {
        let error = try #require(throws: ConfigurationError.self) {
            try OutboxConfiguration.load(path: nil, environment: variables.merging(["OUTBOX_DB": "/tmp/x.db"]) { a, _ in a })
        }
        #expect(error.file == "environment")
        #expect(!error.description.contains("secret"))
    }
}
