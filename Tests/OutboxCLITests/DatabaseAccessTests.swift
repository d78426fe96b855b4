import Foundation
import OutboxTestSupport
import Testing

/// How commands open the database: a mistyped `OUTBOX_DB` does not start a fresh outbox
/// (only `serve` and `init` create directories, the file itself is created in an existing
/// directory), and the read commands work where operators need them most — on a
/// read-only file system and a full disk. Through the real binary.
@Suite struct DatabaseAccessTests {
    static let message = #"{"owner":"o","subject":"s","text":"x","to":["a@example.com"]}"# + "\n"

    @Test func aMissingDirectoryIsRefusedAndOnlyInitCreatesIt() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let missing = workspace.directory + "/typo/state"
        let outbox = OutboxProcess(database: missing + "/outbox.db")
        let enqueue = try outbox.run(["enqueue", "-"], stdin: Self.message)
        #expect(enqueue.status == 1)
        #expect(enqueue.stderr.contains("directory \(missing) for the database \(missing)/outbox.db does not exist"), "\(enqueue.stderr)")
        #expect(enqueue.stderr.contains("outbox init") && enqueue.stderr.contains("nothing was enqueued"))
        let status = try outbox.run(["status"])
        #expect(status.status == 1)
        #expect(status.stderr.contains("there is no database at \(missing)/outbox.db"), "\(status.stderr)")
        #expect(!FileManager.default.fileExists(atPath: workspace.directory + "/typo"))

        let initialise = try outbox.run(["init"])
        #expect(initialise.status == 0, "\(initialise.stderr)")
        #expect(initialise.stdout.contains("is ready"))
        #expect(try outbox.run(["enqueue", "-"], stdin: Self.message).status == 0)
    }

    @Test func theFileIsStillCreatedInAnExistingDirectory() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let enqueue = try OutboxProcess(database: workspace.directory + "/fresh.db").run(["enqueue", "-"], stdin: Self.message)
        #expect(enqueue.status == 0, "\(enqueue.stderr)")
        let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("BounceSamples/01-postfix-dsn-failed.eml")
        let ingest = try OutboxProcess(database: workspace.directory + "/bounces.db")
            .run(["bounces", "ingest", "-"], stdin: try String(contentsOf: sample, encoding: .utf8))
        #expect(ingest.status == 0, "\(ingest.stderr)")
        #expect(FileManager.default.fileExists(atPath: workspace.directory + "/bounces.db"))
    }

    @Test func anOlderSchemaIsNamedByReadCommandsInsteadOfMigrated() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        #expect(try workspace.outbox.run(["init"]).status == 0)
        let database = workspace.directory + "/outbox.db"
        let latest = try schemaOfBinary(workspace)
        // Forget the last step, as if the database were made by the previous release.
        let downgrade = try Command.run("/usr/bin/python3", ["-c", """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1]); c.execute("DELETE FROM grdb_migrations WHERE identifier = ?", (sys.argv[2],)); c.commit()
            """, database, latest])
        #expect(downgrade.status == 0, "\(downgrade.output)")
        for command in [["status"], ["list"], ["show", "1"], ["events"]] {
            let result = try workspace.outbox.run(command)
            #expect(result.status == 1, "\(command)")
            #expect(result.stderr.contains(", older than this outbox binary's \(latest)"), "\(result.stderr)")
            #expect(result.stderr.contains("read commands do not migrate"))
        }
    }

    @Test func versionAndVerboseVersion() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let short = try workspace.outbox.run(["--version"])
        #expect(short.status == 0)
        #expect(short.stdout.hasPrefix("outbox ") && short.stdout.split(separator: "\n").count == 1, "\(short.stdout)")
        #expect(try workspace.outbox.run(["init"]).status == 0)
        let latest = try schemaOfBinary(workspace)
        #expect(latest.hasPrefix("v"))
        for arguments in [["--version", "--verbose"], ["version", "--verbose"]] {
            let verbose = try workspace.outbox.run(arguments)
            #expect(verbose.status == 0, "\(verbose.stderr)")
            for line in ["outbox ", "sqlite 3.", "libcurl libcurl/", "schema \(latest) (",
                         "database \(workspace.directory)/outbox.db: schema \(latest)"] {
                #expect(verbose.stdout.contains(line), "\(arguments): \(verbose.stdout)")
            }
        }
    }

    @Test(.enabled(if: Tmpfs.available, "needs root to mount a small tmpfs"))
    func readCommandsWorkOnAFullDiskAndAReadOnlyFileSystem() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let disk = try Tmpfs(at: workspace.directory + "/disk", size: "4m")
        defer { disk.unmount() }
        let outbox = OutboxProcess(database: disk.path + "/outbox.db")
        #expect(try outbox.run(["init"]).status == 0)
        #expect(try outbox.run(["enqueue", "-"], stdin: Self.message).status == 0)

        // Fill the disk, then try to enqueue a message with a 256 KiB attachment.
        _ = try Command.run("/bin/dd", ["if=/dev/zero", "of=\(disk.path)/filler", "bs=64k"])
        let inline = Data(repeating: 0x41, count: 256 * 1024).base64EncodedString()
        let big = #"{"owner":"o","subject":"s","text":"x","to":["b@example.com"],"attachments":[{"filename":"a.bin","content":"\#(inline)"}]}"#
        let full = try outbox.run(["enqueue", "-"], stdin: big + "\n")
        #expect(full.status == 75, "\(full.stderr)")
        #expect(full.stderr.contains("the disk is full"), "\(full.stderr)")
        #expect(full.stderr.contains("nothing was enqueued (temporary failure, exit 75: try again later)"), "\(full.stderr)")
        try expectReadCommandsSeeOneMessage(outbox, "full disk")

        try FileManager.default.removeItem(atPath: disk.path + "/filler")
        try disk.remountReadOnly()
        try expectReadCommandsSeeOneMessage(outbox, "read-only")
        let readOnly = try outbox.run(["enqueue", "-"], stdin: Self.message)
        #expect(readOnly.status != 0)
        #expect(readOnly.stderr.contains("nothing was enqueued"), "\(readOnly.stderr)")
    }

    /// The newest schema step this binary knows, from `outbox version --verbose` (`schema NAME (N steps)`).
    private func schemaOfBinary(_ workspace: Workspace) throws -> String {
        let output = try workspace.outbox.run(["version", "--verbose"]).stdout
        let line = try #require(output.split(separator: "\n").first { $0.hasPrefix("schema ") })
        return String(line.dropFirst("schema ".count).prefix { $0 != " " })
    }

    private func expectReadCommandsSeeOneMessage(_ outbox: OutboxProcess, _ situation: String) throws {
        let status = try outbox.run(["status", "--json"])
        #expect(status.status == 0, "\(situation): \(status.stderr)")
        #expect((try? status.json() as? [String: Any])?["totals"] as? [String: Int] == ["queued": 1], "\(situation): \(status.stdout)")
        let list = try outbox.run(["list", "--json"])
        #expect((try? list.json() as? [Any])?.count == 1, "\(situation): \(list.stderr)")
        let show = try outbox.run(["show", "1"])
        #expect(show.status == 0 && show.stdout.contains("a@example.com"), "\(situation): \(show.stderr)")
        let events = try outbox.run(["events"])
        #expect(events.status == 0 && events.stdout.contains("enqueued"), "\(situation): \(events.stderr)")
    }
}

/// A small tmpfs mounted for one test (root only), to make a full or read-only disk.
struct Tmpfs {
    let path: String

    static let available: Bool = {
        guard geteuid() == 0 else { return false }
        let probe = NSTemporaryDirectory() + "outbox-tmpfs-probe-" + UUID().uuidString
        guard (try? FileManager.default.createDirectory(atPath: probe, withIntermediateDirectories: true)) != nil else { return false }
        defer { try? FileManager.default.removeItem(atPath: probe) }
        guard (try? Command.run("/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probe]))?.status == 0 else { return false }
        _ = try? Command.run("/bin/umount", [probe])
        return true
    }()

    init(at path: String, size: String) throws {
        self.path = path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let mount = try Command.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size),mode=0755", "tmpfs", path])
        guard mount.status == 0 else { throw Command.Failure(output: mount.output) }
    }

    func remountReadOnly() throws {
        let remount = try Command.run("/bin/mount", ["-o", "remount,ro", path])
        guard remount.status == 0 else { throw Command.Failure(output: remount.output) }
    }

    func unmount() { _ = try? Command.run("/bin/umount", [path]) }
}

/// Runs a system tool and collects its combined output.
enum Command {
    struct Failure: Error { let output: String }

    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let result = try ChildProcess(executable, arguments, stdout: .capture, stderr: .standardOutput).completionBlocking(within: 120)
        return (result.status, result.stdoutText)
    }
}
