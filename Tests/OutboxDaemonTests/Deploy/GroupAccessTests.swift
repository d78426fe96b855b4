import Foundation
import OutboxTestSupport
import Testing

/// deploy/README.md's group access through the real binary: `outbox serve` under the unit's
/// `UMask=0007` in a setgid state directory creates the database and its `-wal`/`-shm` files
/// 0660 (group-readable and -writable), and another user in the group runs `outbox status`
/// while the daemon runs. Creating that user and group needs root (CI runs as root).
@Suite struct GroupAccessTests {
    @Test(.enabled(if: geteuid() == 0, "useradd/groupadd and runuser need root (CI runs as root)"))
    func aGroupMemberUsesTheDatabaseTheServiceCreated() async throws {
        let outbox = try #require(RepositoryPaths.builtOutbox, "build the outbox executable first")
        let suffix = String(getpid())
        let group = "obxgrp\(suffix)", member = "obxop\(suffix)"
        #expect(try await Shell.run("/usr/sbin/groupadd", [group]).status == 0)
        defer { _ = try? ChildProcess.runBlocking("/usr/sbin/groupdel", [group]) }
        let added = try await Shell.run("/usr/sbin/useradd", ["--no-create-home", "--shell", "/usr/sbin/nologin", "--groups", group, member])
        #expect(added.status == 0, "\(added.output)")
        defer { _ = try? ChildProcess.runBlocking("/usr/sbin/userdel", [member]) }

        let directory = try TemporaryDirectory()
        let state = directory.path + "/state"
        // The state directory as systemd-tmpfiles/StateDirectory= would make it, setgid for the group.
        #expect(mkdir(state, 0o750) == 0)
        #expect(try await Shell.run("/usr/bin/chgrp", [group, state]).status == 0)
        #expect(chmod(state, 0o2750) == 0)
        #expect(chmod(directory.path, 0o755) == 0)
        let database = state + "/outbox.db"
        let errors = try directory.write("serve.log", "")
        let config = try directory.write("outbox.conf", "[delivery]\nworkers = 1\n")

        let serve = try ChildProcess("/bin/sh", ["-c", "umask 0007 && exec \"$0\" serve --db \"$1\" --config \"$2\"", outbox, database, config],
                                     stdout: .null, stderr: .file(errors))
        defer { serve.kill() }
        func log() -> String { (try? String(contentsOfFile: errors, encoding: .utf8)) ?? "" }
        // A loop resumed after the deadline on a starved pool still reads the log once more below.
        let deadline = Date().addingTimeInterval(120)
        while !log().contains("serving"), serve.isRunning, Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(log().contains("serving"), "\(log())")

        for file in [database, database + "-wal", database + "-shm"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: file)
            #expect(attributes[.posixPermissions] as? Int == 0o660, "\(file)")
            #expect(attributes[.groupOwnerAccountName] as? String == group, "\(file)")
        }
        let status = try await Shell.run("/usr/sbin/runuser", ["-u", member, "--", outbox, "status", "--db", database])
        #expect(status.status == 0, "a member of the group cannot read the outbox: \(status.output)")
        #expect(status.output.contains("queued"), "\(status.output)")

        #expect(await serve.terminate(grace: 30) == .exited(0), "\(log())")
        #expect(!FileManager.default.fileExists(atPath: database + "-wal"), "a clean stop removes the WAL")
    }
}
