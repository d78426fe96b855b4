import Foundation
import OutboxTestSupport
import Testing

/// Progress on stderr through the binary: on a terminal (a pty driven by Python's `pty`
/// module) `enqueue`, `serve --once`, `bounces poll` and `purge` redraw one line — count, rate, time
/// left where the total is known — at most four times a second; through pipes (scripts,
/// ERPs) stderr stays empty and stdout is the same.
@Suite struct ProgressTests {
    /// The binary's output under a pseudo-terminal (stdout and stderr both go to it) and its exit status.
    private func onTerminal(_ arguments: [String], in workspace: Workspace) throws -> (output: String, status: Int32, seconds: Double) {
        let driver = try workspace.write("pty_driver.py", """
            import os, pty, sys
            pid, fd = pty.fork()
            if pid == 0:
                os.execv(sys.argv[1], sys.argv[1:])
            out = b""
            while True:
                try:
                    data = os.read(fd, 65536)
                except OSError:
                    break
                if not data:
                    break
                out += data
            _, status = os.waitpid(pid, 0)
            sys.stdout.buffer.write(out)
            sys.exit(os.waitstatus_to_exitcode(status))
            """)
        let started = Date()
        let result = try ChildProcess.runBlocking("/usr/bin/python3", [driver, OutboxProcess.executable.path] + arguments)
        return (result.stdoutText, result.status, Date().timeIntervalSince(started))
    }

    private static let redraw = "\r\u{1B}[K"

    private func batch(_ workspace: Workspace, key: String, count: Int) throws -> String {
        var lines = [#"{"batch": {"key": "\#(key)", "owner": "billing", "subject": "Arve", "text": "Tere"}}"#]
        for index in 0..<count { lines.append(#"{"key": "\#(key)-\#(index)", "to": ["a\#(index)@example.ee"]}"#) }
        return try workspace.write("\(key).jsonl", lines.joined(separator: "\n") + "\n")
    }

    @Test func enqueueShowsProgressOnATerminalOnly() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let terminal = try onTerminal(["enqueue", "--db", workspace.directory + "/a.db", try batch(workspace, key: "tty", count: 20_000)], in: workspace)
        #expect(terminal.status == 0, "\(terminal.output)")
        let updates = terminal.output.components(separatedBy: Self.redraw).dropFirst()
        #expect(updates.contains { $0.hasPrefix("enqueue: ") && $0.contains(" message(s), ") && $0.hasSuffix("/s") }, "\(terminal.output.suffix(300))")
        // At most four a second (and a final clear).
        #expect(Double(updates.count) <= terminal.seconds * 4 + 2, "\(updates.count) updates in \(terminal.seconds) s")
        #expect(terminal.output.hasSuffix(Self.redraw + "batch 1: 20000 message(s) enqueued\r\n"), "\(terminal.output.suffix(200))")

        let piped = try workspace.outbox.run(["enqueue", "--db", workspace.directory + "/b.db", try batch(workspace, key: "pipe", count: 20_000)])
        #expect(piped.status == 0)
        #expect(piped.stderr.isEmpty, "\(piped.stderr)")
        #expect(piped.stdout == "batch 1: 20000 message(s) enqueued\n")
    }

    @Test func serveOnceShowsSentOfTotal() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        try withTestSMTPServer { server in
            let database = workspace.directory + "/outbox.db"
            #expect(try workspace.outbox.run(["enqueue", "--db", database, try batch(workspace, key: "serve", count: 300)]).status == 0)
            #expect(try workspace.outbox.run(["profile", "set", "billing", "--db", database, "--mode", "system", "--from", "billing@firma.example"]).status == 0)
            // System mode signs by default: the company's key, as an installation would have it.
            #expect(try workspace.outbox.run(["dkim", "keygen", "--db", database, "--domain", "firma.example", "--selector", "s1",
                                              "--algorithm", "ed25519"]).status == 0)
            let config = try workspace.write("outbox.conf", "[relay]\nhost = 127.0.0.1\nport = \(server.port)\ntls = none\n")
            let terminal = try onTerminal(["serve", "--once", "--db", database, "--config", config], in: workspace)
            #expect(terminal.status == 0, "\(terminal.output)")
            #expect(terminal.output.contains(Self.redraw + "serve --once: 0 of 300 message(s) sent or failed"), "\(terminal.output.prefix(300))")
            #expect(terminal.output.contains("sent 300, deferred 0, failed 0"), "\(terminal.output.suffix(300))")
            #expect(try server.messages().count == 300)
        }
    }

    @Test func bouncesPollCountsOnATerminalOnly() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let mailbox = try DovecotServer()
        defer { mailbox.stop() }
        let bounce = Array("From: MAILER-DAEMON@example.ee\r\nTo: bounces@firma.example\r\nSubject: Undelivered\r\n\r\n550 5.1.1 user unknown\r\n".utf8)
        for index in 0..<3 { try mailbox.deliver(bounce, name: "\(index).eml") }
        let arguments = ["bounces", "poll", "--db", workspace.directory + "/outbox.db", "--url", "imap://127.0.0.1:\(mailbox.imapPort)/INBOX",
                         "--user", DovecotServer.user, "--password-file", try mailbox.passwordFile(), "--allow-plaintext"]
        #expect(try workspace.outbox.run(["init", "--db", workspace.directory + "/outbox.db"]).status == 0)
        let terminal = try onTerminal(arguments, in: workspace)
        #expect(terminal.status == 0, "\(terminal.output)")
        #expect(terminal.output.contains(Self.redraw + "bounces poll: 1 message(s) recorded"), "\(terminal.output)")
        #expect(terminal.output.contains("3 message(s), 3 recorded and deleted"), "\(terminal.output)")

        for index in 3..<5 { try mailbox.deliver(bounce, name: "\(index).eml") }
        let piped = try workspace.outbox.run(arguments)
        #expect(piped.status == 0)
        #expect(piped.stderr.isEmpty, "\(piped.stderr)")
        #expect(piped.stdout.contains("2 message(s), 2 recorded and deleted"))
    }

    @Test func purgeShowsProgressInChunksOnATerminalOnly() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let database = workspace.directory + "/outbox.db"
        func finishedMessages(_ key: String) throws {
            #expect(try workspace.outbox.run(["enqueue", "--db", database, try batch(workspace, key: key, count: 12_000)]).status == 0)
            // As if sent 40 days ago (the delivery path is tested elsewhere; 12,000 sends would only slow this down).
            _ = try ChildProcess.runBlocking("/usr/bin/python3", ["-c", "import sqlite3,sys,time; c=sqlite3.connect(sys.argv[1]); "
                + "c.execute(\"UPDATE message SET state='sent', finished_at=? WHERE state='queued'\", (int(time.time()*1000)-40*86400000,)); c.commit()", database])
        }
        try finishedMessages("old")
        let terminal = try onTerminal(["purge", "--db", database, "--older-than", "30d"], in: workspace)
        #expect(terminal.status == 0, "\(terminal.output)")
        #expect(terminal.output.contains(Self.redraw + "purge: 0 of 12,000 message(s)"), "\(terminal.output)")
        #expect(terminal.output.hasSuffix(Self.redraw + "12000 finished message(s) purged\r\n"), "\(terminal.output)")

        try finishedMessages("older")
        let piped = try workspace.outbox.run(["purge", "--db", database, "--older-than", "30d"])
        #expect(piped.stderr.isEmpty, "\(piped.stderr)")
        #expect(piped.stdout == "12000 finished message(s) purged\n")
        let status = try #require(try workspace.outbox.run(["status", "--json", "--db", database]).json() as? [String: Any])
        #expect((status["totals"] as? [String: Int])?["sent", default: 0] == 0, "\(status)")
    }
}
