import Foundation
import OutboxTestSupport
import Testing

/// `outbox doctor` through the binary, against real files, databases, an aiosmtpd relay and
/// a Dovecot bounce mailbox: a healthy installation passes every check (exit 0), and each
/// check fails with its own finding and fix when its part is broken (exit 2).
@Suite(.serialized) struct DoctorCommandTests {
    static let relayUser = "mailer", relayPassword = "relay-Pa55"

    /// A workspace with a database made by `outbox init`, a credentials directory, and the
    /// unit with `ExecStart=` pointed at the built binary (systemd-analyze insists it exists).
    struct Installation {
        let workspace: Workspace
        let credentials: String
        var database: String { workspace.directory + "/state/outbox.db" }
        var serviceUser: String { String(cString: getpwuid(geteuid())!.pointee.pw_name) }

        init() throws {
            workspace = try Workspace()
            credentials = workspace.directory + "/credentials"
            try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: workspace.directory + "/state", withIntermediateDirectories: true)
            chmod(workspace.directory + "/state", 0o750)
            #expect(try workspace.outbox.run(["init", "--db", database]).status == 0)
            for file in [database, database + "-wal", database + "-shm"] where FileManager.default.fileExists(atPath: file) { chmod(file, 0o660) }
        }

        func credential(_ name: String, _ value: String) throws {
            _ = try workspace.write("credentials/\(name)", value + "\n")
        }

        func unit(execStart: String = OutboxProcess.executable.path, dropping: String? = nil) throws -> String {
            var unit = try String(contentsOfFile: Self.repository + "/deploy/outbox.service", encoding: .utf8)
                .replacingOccurrences(of: "ExecStart=/usr/local/bin/outbox ", with: "ExecStart=\(execStart) ")
            if let dropping { unit = unit.replacingOccurrences(of: dropping + "\n", with: "") }
            return try workspace.write("outbox.service", unit)
        }

        static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

        func outbox(_ arguments: [String], stdin: String? = nil) throws -> OutboxProcess.Result {
            try workspace.outbox.run(arguments + ["--db", database], stdin: stdin, environment: ["CREDENTIALS_DIRECTORY": credentials])
        }

        /// outbox.conf with the relay (password credential relay-password) and the bounce mailbox (bounce-password);
        /// DKIM signing off, so that a missing signing key does not stand in front of the holds these tests make.
        func configure(relay: TestSMTPServer, mailbox: DovecotServer, replyTo: Bool) throws -> String {
            try workspace.write("outbox.conf", """
                [relay]
                host = 127.0.0.1
                port = \(relay.port)
                tls = none
                username = \(DoctorCommandTests.relayUser)
                password-credential = relay-password
                \(replyTo ? "[reply-to]\ncompany-address = firma\nevent-domain = bounce.firma.example" : "")
                [bounces]
                domain = bounce.firma.example
                mailbox-url = imap://127.0.0.1:\(mailbox.imapPort)/INBOX
                mailbox-user = \(DovecotServer.user)
                mailbox-password-credential = bounce-password
                [dkim]
                sign-modes = none
                """)
        }

        /// Runs doctor with `--json`; the findings by check name.
        func doctor(config: String, unit: String? = nil, timeout: Int = 20) throws -> (status: Int32, findings: [String: [String: String]], output: String) {
            var arguments = ["doctor", "--json", "--config", config, "--service-user", serviceUser, "--timeout", String(timeout)]
            if let unit { arguments += ["--unit-file", unit] }
            let result = try outbox(arguments)
            let document = try #require(try result.json() as? [String: Any], "\(result.stdout) \(result.stderr)")
            let checks = try #require(document["checks"] as? [[String: String]])
            return (result.status, Dictionary(checks.map { ($0["check"]!, $0) }) { first, _ in first }, result.stdout)
        }
    }

    /// A fresh installation, an aiosmtpd relay that takes ``relayUser``/``relayPassword`` and a Dovecot mailbox.
    private func withServers(_ body: (Installation, TestSMTPServer, DovecotServer) throws -> Void) throws {
        let installation = try Installation()
        defer { installation.workspace.cleanUp() }
        let relay = try TestSMTPServer(["--user", Self.relayUser, "--password", Self.relayPassword])
        defer { relay.stop() }
        let mailbox = try DovecotServer()
        defer { mailbox.stop() }
        try body(installation, relay, mailbox)
    }

    @Test func aHealthyInstallationPassesEveryCheck() throws {
        try withServers { installation, relay, mailbox in
            try installation.credential("relay-password", Self.relayPassword)
            try installation.credential("bounce-password", DovecotServer.password)
            let config = try installation.configure(relay: relay, mailbox: mailbox, replyTo: true)
            #expect(try installation.outbox(["profile", "set", "billing", "--mode", "system", "--from", "billing@firma.example", "--config", config]).status == 0)
            #expect(try installation.outbox(["profile", "set", "mari", "--mode", "smtp", "--host", "127.0.0.1", "--port", String(relay.port), "--tls", "none",
                                             "--user", Self.relayUser, "--password-stdin", "--from", "mari@firma.example", "--config", config],
                                            stdin: Self.relayPassword).status == 0)

            let doctor = try installation.doctor(config: config, unit: try installation.unit())
            #expect(doctor.status == 0, "\(doctor.output)")
            for check in ["configuration", "database", "database access", "secrets key", "disk space", "queue age", "credential relay-password",
                          "credential bounce-password", "relay", "profile mari", "bounce mailbox", "sender domains", "service unit", "unit verify"] {
                #expect(doctor.findings[check]?["status"] == "ok", "\(check): \(doctor.findings[check] ?? [:])")
            }
            #expect(doctor.findings["relay"]?["detail"]?.contains("used by billing") == true, "\(doctor.findings["relay"] ?? [:])")
            #expect(try relay.messages().isEmpty, "doctor sends no mail")
            #expect(try mailbox.messageCount() == 0)
            #expect(!doctor.output.contains(Self.relayPassword) && !doctor.output.contains(DovecotServer.password))

            // The same as text: one line per check, and the summary.
            let text = try installation.outbox(["doctor", "--config", config, "--service-user", installation.serviceUser, "--unit-file", try installation.unit()])
            #expect(text.status == 0)
            #expect(text.stdout.contains("ok       relay: mode system (the system relay), 127.0.0.1:\(relay.port) none"), "\(text.stdout)")
            #expect(text.stdout.hasSuffix("0 warning(s), 0 problem(s)\n"), "\(text.stdout)")
        }
    }

    @Test func eachBrokenPartIsAProblemWithItsFix() throws {
        try withServers { installation, relay, mailbox in
            try installation.credential("relay-password", "wrong-password")
            try installation.credential("bounce-password", "wrong-too")
            let config = try installation.configure(relay: relay, mailbox: mailbox, replyTo: false)
            #expect(try installation.outbox(["profile", "set", "billing", "--mode", "system", "--from", "billing@firma.example", "--config", config]).status == 0)
            #expect(try installation.outbox(["profile", "set", "sales", "--mode", "smtp", "--host", "127.0.0.1", "--port", String(relay.port), "--tls", "none",
                                             "--user", "sales", "--password-credential", "sales-smtp", "--from", "sales@firma.example", "--config", config]).status == 0)
            #expect(try installation.outbox(["profile", "set", "ann", "--mode", "reply-to", "--from", "ann@firma.example", "--config", config]).status == 0)
            // A sealed password whose key is gone.
            #expect(try installation.outbox(["profile", "set", "lena", "--mode", "smtp", "--host", "127.0.0.1", "--port", String(relay.port), "--tls", "none",
                                             "--user", "lena", "--password-stdin", "--from", "lena@firma.example", "--config", config], stdin: "lena-pass").status == 0)
            let key = installation.workspace.directory + "/state/secrets.key"
            #expect(rename(key, key + ".away") == 0, "no key file at \(key)")
            // The relay refuses the password: delivery holds billing's profile.
            let batch = try installation.workspace.write("batch.json", """
                {"owner": "billing", "subject": "Arve", "text": "Tere", "messages": [{"to": ["a@example.ee"]}]}
                """)
            #expect(try installation.outbox(["enqueue", batch]).status == 0)
            _ = try installation.outbox(["serve", "--once", "--config", config])
            // A message due for two hours that nobody sends.
            let late = try installation.workspace.write("late.json", """
                {"owner": "ann", "subject": "Kiri", "text": "Tere", "messages": [{"to": ["b@example.ee"]}]}
                """)
            #expect(try installation.outbox(["enqueue", late]).status == 0)
            _ = try ChildProcess.runBlocking("/usr/bin/python3", ["-c", "import sqlite3,sys,time; c=sqlite3.connect(sys.argv[1]); "
                + "c.execute(\"UPDATE message SET next_attempt_at=? WHERE owner='ann'\", (int(time.time()*1000)-7200000,)); c.commit()", installation.database])
            chmod(installation.database, 0o600)

            let unit = try installation.unit(execStart: "/nonexistent/outbox", dropping: "LoadCredential=bounce-password")
            let doctor = try installation.doctor(config: config, unit: unit)
            #expect(doctor.status == 2, "\(doctor.output)")
            func expect(_ check: String, _ status: String, _ detail: String, fix: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
                let finding = doctor.findings[check] ?? [:]
                #expect(finding["status"] == status, "\(check): \(finding)", sourceLocation: sourceLocation)
                #expect(finding["detail"]?.contains(detail) == true, "\(check): \(finding)", sourceLocation: sourceLocation)
                if let fix { #expect(finding["fix"]?.contains(fix) == true, "\(check): \(finding)", sourceLocation: sourceLocation) }
            }
            expect("database access", "problem", "cannot read and write it", fix: "chmod 0660 \(installation.database)")
            expect("relay", "problem", "authentication-rejected: 535")
            expect("held billing", "warning", "authentication-rejected", fix: "outbox profile test billing")
            expect("queue age", "problem", "has waited 2h", fix: "systemctl status outbox")
            expect("credential sales-smtp", "problem", "named by profile sales", fix: "/etc/credstore/sales-smtp")
            expect("credential bounce-password", "problem", "does not load it", fix: "LoadCredential=bounce-password")
            expect("credential relay-password", "ok", "is readable")
            expect("bounce mailbox", "problem", "imap://127.0.0.1:\(mailbox.imapPort)/INBOX as \(DovecotServer.user)")
            expect("sender domains", "problem", "ann use reply-to mode", fix: "[reply-to]")
            expect("unit verify", "problem", "/nonexistent/outbox")
            expect("secrets key", "problem", "sealed secret(s), but the key")
            #expect(try relay.messages().isEmpty)
        }
    }

    @Test func aBrokenConfigurationAndAMissingDatabase() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let config = try workspace.write("outbox.conf", "[relay]\nhost = relay.example.com\nport = many\n")
        let result = try workspace.outbox.run(["doctor", "--json", "--config", config, "--db", workspace.directory + "/missing.db", "--unit-file", "/nonexistent.service"])
        #expect(result.status == 2)
        let checks = try #require((try result.json() as? [String: Any])?["checks"] as? [[String: String]])
        let byName = Dictionary(checks.map { ($0["check"]!, $0) }) { first, _ in first }
        #expect(byName["configuration"]?["status"] == "problem")
        #expect(byName["configuration"]?["detail"]?.contains("outbox.conf:3") == true, "\(byName["configuration"] ?? [:])")
        #expect(byName["database"]?["status"] == "problem")
        #expect(byName["database"]?["fix"]?.contains("outbox init") == true)
        #expect(byName["service unit"]?["status"] == "problem")
        #expect(!FileManager.default.fileExists(atPath: workspace.directory + "/missing.db"), "doctor creates nothing")
    }

    /// An IDN written as a U-label in one setting and an A-label in another is one domain
    /// (`müller.de` is `xn--mller-kva.de`); a different IDN still gets the warning.
    @Test func senderDomainsCompareInternationalDomainsInOneForm() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        func senderDomains(bounces: String) throws -> [String: String] {
            let config = try workspace.write("outbox.conf", """
                [reply-to]
                company-address = info@Müller.de
                event-domain = xn--mller-kva.de
                [bounces]
                domain = \(bounces)
                """)
            let result = try workspace.outbox.run(["doctor", "--json", "--config", config, "--db", workspace.directory + "/missing.db",
                                                   "--unit-file", "/nonexistent.service", "--timeout", "3"])
            let checks = try #require((try result.json() as? [String: Any])?["checks"] as? [[String: String]], "\(result.stdout)\(result.stderr)")
            return try #require(checks.first { $0["check"] == "sender domains" }, "\(result.stdout)")
        }
        let same = try senderDomains(bounces: "müller.de")
        #expect(same["status"] == "ok", "\(same)")
        #expect(same["detail"]?.contains("bounces+TOKEN@müller.de") == true, "\(same)")
        let other = try senderDomains(bounces: "bücher.de")
        #expect(other["status"] == "warning", "\(other)")
        #expect(other["detail"]?.contains("[bounces] domain bücher.de differs from [reply-to] event-domain xn--mller-kva.de") == true, "\(other)")
    }

    /// Every login together stays within --timeout, whatever the server does (here: accepts and never speaks).
    @Test func aSilentServerIsBoundedInTime() async throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let silent = try ChildProcess("/usr/bin/python3", ["-c", "import socket,sys,time; s=socket.socket(); s.bind(('127.0.0.1',0)); s.listen(8); "
            + "print(s.getsockname()[1], flush=True); time.sleep(900)"])
        defer { silent.kill() }
        let port = try #require(try await silent.firstLine(within: 60).flatMap { Int($0) })
        let config = try workspace.write("outbox.conf", "[relay]\nhost = 127.0.0.1\nport = \(port)\ntls = none\n")
        #expect(try await workspace.outbox.run(["init"]).status == 0)
        // Timed on a thread of its own: an await on a starved pool could resume long after doctor ended.
        let outbox = workspace.outbox
        let (result, seconds) = try await onDedicatedThread {
            let started = Date()
            let result = try outbox.run(["doctor", "--config", config, "--timeout", "3", "--unit-file", "/nonexistent.service"])
            return (result, Date().timeIntervalSince(started))
        }
        #expect(seconds < 15)
        #expect(result.status == 2)
        #expect(result.stdout.contains("problem  relay:"), "\(result.stdout)")
    }

    /// Free space against the outbox's size, on a small tmpfs (mounting needs root).
    @Test(.enabled(if: geteuid() == 0, "mounting a tmpfs needs root (CI runs as root)"))
    func diskSpaceIsWarnedThenAProblem() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let mount = workspace.directory + "/small"
        try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
        try #require(try ChildProcess.runBlocking("/bin/mount", ["-t", "tmpfs", "-o", "size=40m", "tmpfs", mount]).status == 0, "mount tmpfs failed")
        defer { _ = try? ChildProcess.runBlocking("/bin/umount", [mount]) }
        let database = mount + "/outbox.db"
        #expect(try workspace.outbox.run(["init", "--db", database]).status == 0)
        func disk() throws -> [String: String] {
            let result = try workspace.outbox.run(["doctor", "--json", "--db", database, "--config", try workspace.write("empty.conf", "")])
            let checks = try #require((try result.json() as? [String: Any])?["checks"] as? [[String: String]])
            return try #require(checks.first { $0["check"] == "disk space" })
        }
        let low = try disk()
        #expect(low["status"] == "warning", "\(low)")
        try Data(count: 30 << 20).write(to: URL(fileURLWithPath: mount + "/filler"))
        let full = try disk()
        #expect(full["status"] == "problem", "\(full)")
        #expect(full["fix"]?.contains("outbox purge") == true)
    }
}
