import Foundation
import OutboxTestSupport
import Testing

/// The SQLite side of the listener's "try again later" idiom (a PostgreSQL server out of reach
/// is APIOutageOnPostgresTests): an outbox file another process keeps locked for writing
/// beyond serve's busy timeout (60 s) answers 503 `busy` with `Retry-After` and the JSON error,
/// writes nothing, and takes the batch once the lock is gone.
@Suite(.timeLimit(.minutes(10))) struct BusyOutboxTests {
    @Test func aWriteLockedOutboxAnswers503BusyWithRetryAfter() throws {
        let serve = try APIServe()
        defer { serve.stop() }
        let token = try serve.token("erp")
        let locked = serve.workspace.directory + "/locked"
        // Another writer holds the file (at most 5 minutes; ended below once the answer is in).
        let holder = try ChildProcess("python3", ["-c", """
            import sqlite3, sys, time
            connection = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=60)
            connection.execute("BEGIN IMMEDIATE")
            open(sys.argv[2], "w").close()
            time.sleep(300)
            """, serve.database, locked])
        defer { holder.kill() }
        #expect(eventually(within: 60) { FileManager.default.fileExists(atPath: locked) }, "the holder did not get the write lock")

        let batch = #"{"key": "B1", "owner": "billing", "subject": "Arve", "text": "Tere", "notBefore": "2030-01-01T08:00:00+00:00", "messages": [{"to": ["mari@example.com"]}]}"#
        let busy = try serve.call("POST", "/v1/batches", token: token, body: batch, timeout: 240)
        #expect(busy.status == 503, "\(busy.status) \(busy.body)")
        #expect(busy.headers["retry-after"] == "5", "\(busy.headers)")
        #expect(busy.error?["code"] as? String == "busy" && busy.error?["message"] as? String == "the outbox is busy; try again", "\(busy.body)")

        holder.kill()
        #expect(eventually(within: 60) { !holder.isRunning })
        #expect(try serve.call("GET", "/v1/batches/B1", token: token).status == 404, "nothing was written while the file was locked")
        #expect(try serve.call("POST", "/v1/batches", token: token, body: batch).status == 201)
    }
}
