import Foundation
import OutboxCore
@testable import OutboxDaemon
import OutboxStore
import OutboxTestSupport
import Synchronization
import Testing

/// Group commit: outcomes of several workers go into one transaction, and no worker lets
/// the server accept its next message while its outcome is uncommitted (the duplicate
/// bound after `kill -9`).
@Suite(.serialized) struct GroupCommitTests {
    @Test func outcomesOfSeveralWorkersAreCommittedInOneTransaction() throws {
        let fixture = try OutboxFixture()
        defer { fixture.cleanUp() }
        try fixture.enqueue(8, owner: "alice")
        let now = OutboxDatabase.milliseconds(Date())
        let claimed = try fixture.outbox.claim(leaseOwner: "w", limit: 8, now: now, dueBy: now, leaseUntil: now + 60_000)
        let committer = GroupCommitter(database: fixture.outbox, leaseOwner: "w")
        let results = Mutex<[Bool]>([]), finished = DispatchGroup()

        // The first outcome's commit blocks on the lock; the other seven queue up behind it.
        let lock = try WriteLock(path: fixture.path)
        for message in claimed {
            finished.enter()
            Thread {
                let recorded = (try? committer.record(PendingRecord(DeliveryRecord(verdict: .sent, code: 250, text: "ok"), messageID: message.id))) ?? false
                results.withLock { $0.append(recorded) }
                finished.leave()
            }.start()
        }
        #expect(eventually(10) { committer.waiting == 7 })
        #expect(results.withLock { $0.isEmpty }, "nobody returns before its outcome is committed")
        lock.release()
        #expect(finished.wait(timeout: .now() + 30) == .success)
        #expect(results.withLock { $0 } == Array(repeating: true, count: 8))
        #expect(committer.figures.commits == 2 && committer.figures.committed == 8)
        #expect(try fixture.states() == ["sent": 8])
        #expect(try fixture.count("SELECT COUNT(*) FROM event WHERE kind IN ('attempt','sent')") == 16)
    }

    @Test(.timeLimit(.minutes(10))) func killNineWhileCommitsAreBlockedDuplicatesAtMostOnePerWorker() async throws {
        let workers = 4, total = 400
        let fixture = try OutboxFixture(), server = try SMTPTestServer()
        defer { server.stop(); fixture.cleanUp() }
        try fixture.setProfile("alice", port: server.port)
        try fixture.enqueue(total, owner: "alice", bodyBytes: 400)
        let common = ["--db", fixture.path, "--workers", String(workers), "--message-id-domain", "outbox.test"]

        let first = try ServeProcess(common)
        // Watched and locked from a thread of its own: the batch goes out in seconds, which a task
        // polling on a starved cooperative pool can overshoot (then nothing is blocked mid-batch).
        let path = fixture.path
        let (midway, lock) = try await onDedicatedThread { [server] in
            let reached = eventually(120) { server.messageCount() >= 40 }
            return (reached, try WriteLock(path: path))
        }
        #expect(midway)
        #expect(server.messageCount() < total, "locked mid-batch")
        try await Task.sleep(for: .seconds(1.5))
        let accepted = server.messageCount()
        try await Task.sleep(for: .seconds(1))
        #expect(server.messageCount() == accepted, "no worker completes a message before its previous outcome is committed")
        first.signal(SIGKILL)
        #expect(await first.waitForExit(10) == -SIGKILL)
        lock.release()
        let uncommitted = accepted - (try fixture.states()["sent", default: 0])
        #expect(uncommitted >= 0 && uncommitted <= workers)

        let second = try ServeProcess(["--once"] + common)
        #expect(await second.waitForExit(300) == 0)
        #expect(try fixture.states() == ["sent": total])
        let ids = try server.messages().compactMap { $0.header("Message-ID") }
        #expect(Set(ids).count == total)
        #expect(ids.count - total == uncommitted, "exactly the accepted-but-uncommitted messages are sent twice")
        #expect(ids.count - total <= workers)
    }

    @Test(.timeLimit(.minutes(10))) func aFailedCommitIsRetriedAndNothingElseIsAcceptedMeanwhile() async throws {
        let total = 20
        // 0.1 s per message at the server, so the lock after the third always lands mid-batch
        // (unstalled, the 20 can all be out before a watcher polling every few ms locks).
        let fixture = try OutboxFixture(), server = try SMTPTestServer(["--stall-in-data", "0.1"])
        defer { server.stop(); fixture.cleanUp() }
        try fixture.setProfile("alice", port: server.port)
        try fixture.enqueue(total, owner: "alice")
        // The engine's writes give up after 0.3 s of a locked database (SQLITE_BUSY).
        let impatient = try OutboxDatabase(path: fixture.path, busyTimeout: 0.3)
        var configuration = OutboxFixture.configuration(workers: 1)
        configuration.batchSize = 4
        let engine = DeliveryEngine(database: impatient, configuration: configuration)
        try engine.start()
        // Watched and locked from a thread of its own (see above): locked before the batch is out.
        let path = fixture.path
        let (midway, lock) = try await onDedicatedThread { [server] in
            let reached = eventually(120) { server.messageCount() >= 3 }
            return (reached, try WriteLock(path: path))
        }
        #expect(midway)
        #expect(server.messageCount() < total, "locked mid-batch")
        try await Task.sleep(for: .seconds(0.5))
        let accepted = server.messageCount()
        try await Task.sleep(for: .seconds(2.5))  // commits fail and are retried after 1 s, then 2 s
        #expect(server.messageCount() == accepted, "no message is accepted while the previous outcome is unrecorded")
        lock.release()
        #expect(try await eventually(120) { try fixture.states() == ["sent": total] })
        _ = engine.stop()
        let ids = try server.messages().compactMap { $0.header("Message-ID") }
        #expect(ids.count == total && Set(ids).count == total, "every outcome was recorded in the end: nothing sent twice")
    }
}
