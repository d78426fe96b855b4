import Foundation
import OutboxCore
import OutboxTestSupport
import Testing

/// The real `outbox serve` process killed with SIGKILL, and stopped with SIGTERM, in the
/// middle of a batch: nothing is lost, duplicates stay within the stated bound.
@Suite(.serialized) struct CrashAndShutdownTests {
    @Test(.timeLimit(.minutes(10))) func killNineMidBatchThenRestartLosesNothing() async throws {
        let workers = 4, total = 2000
        let fixture = try OutboxFixture(), server = try SMTPTestServer()
        defer { server.stop(); fixture.cleanUp() }
        try fixture.setProfile("alice", port: server.port)
        try fixture.enqueue(total, owner: "alice", bodyBytes: 400)
        let common = ["--db", fixture.path, "--workers", String(workers), "--message-id-domain", "outbox.test"]

        let first = try ServeProcess(common)
        // Watched and killed from a thread of its own: a task polling on the cooperative pool
        // can resume seconds late on a loaded 2-core machine, after the whole batch went out.
        let pid = first.pid
        let midway = try await onDedicatedThread { [server] in
            let reached = eventually(60) { server.messageCount() >= total / 3 }
            kill(pid, SIGKILL)
            return reached
        }
        #expect(await first.waitForExit(10) == -SIGKILL)
        #expect(midway)
        let inFlight = try fixture.count("SELECT COUNT(*) FROM message WHERE state = 'sending'")
        let sentBefore = try fixture.states()["sent", default: 0]
        #expect(sentBefore < total)

        let second = try ServeProcess(["--once"] + common)
        #expect(await second.waitForExit(90) == 0)
        #expect(second.standardOutput.contains("sent \(total - sentBefore),"))
        #expect(try fixture.states() == ["sent": total])
        #expect(try fixture.count("SELECT COUNT(*) FROM event WHERE kind = 'retried' AND detail LIKE 'lease reclaimed%'") == inFlight)

        let ids = try server.messages().compactMap { $0.header("Message-ID") }
        let duplicates = ids.count - Set(ids).count
        #expect(Set(ids).count == total)
        #expect(duplicates <= workers, "at most one message per worker is between the server's 250 and the commit")
        #expect(duplicates <= inFlight, "only messages leased at the kill can be sent twice")
    }

    @Test(.timeLimit(.minutes(10))) func sigtermMidBatchExitsZeroAndLosesNothing() async throws {
        let total = 40
        let fixture = try OutboxFixture(), server = try SMTPTestServer(["--stall-in-data", "0.2"])
        defer { server.stop(); fixture.cleanUp() }
        try fixture.setProfile("alice", port: server.port)
        try fixture.enqueue(total, owner: "alice")
        let common = ["--db", fixture.path, "--workers", "2", "--message-id-domain", "outbox.test", "--grace", "10s"]

        let serve = try ServeProcess(common)
        // Watched and stopped from a thread of its own: the whole batch takes about 4 s, which a
        // task polling on a starved cooperative pool can overshoot (nothing would be left queued).
        let pid = serve.pid
        let midway = try await onDedicatedThread { [server] in
            let reached = eventually(120) { server.messageCount() >= 6 }
            kill(pid, SIGTERM)
            return reached
        }
        #expect(midway)
        #expect(await serve.waitForExit(60) == 0)
        let states = try fixture.states()
        #expect(states["sending"] == nil && states["failed"] == nil)
        #expect(states["sent", default: 0] + states["queued", default: 0] == total)
        #expect(states["queued", default: 0] > 0, "stopped mid-batch")
        #expect(try fixture.count("SELECT SUM(attempts) FROM message WHERE state = 'queued'") == 0)

        let rest = try ServeProcess(["--once"] + common)
        #expect(await rest.waitForExit(120) == 0)
        #expect(try fixture.states() == ["sent": total])
        let ids = try server.messages().compactMap { $0.header("Message-ID") }
        #expect(ids.count == total, "a graceful stop finishes in-flight sends and records them: no duplicates")
        #expect(Set(ids).count == total)
    }
}
