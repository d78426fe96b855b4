import Foundation
import OutboxTestSupport
import Testing

/// Attachment paths are confined to the batch file's directory and the directories the
/// operator allows (`--attachments-from`, `[enqueue] attachment-roots`); anything but a
/// regular file is refused without blocking. Through the real binary.
@Suite struct AttachmentPolicyTests {
    private func batch(_ path: String) -> String {
        #"{"owner":"o","subject":"s","text":"x","to":["a@example.com"],"attachments":[{"path":"\#(path)"}]}"# + "\n"
    }

    @Test func pathsOutsideTheBatchDirectoryAreRefused() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let inside = workspace.directory + "/batches"
        try FileManager.default.createDirectory(atPath: inside, withIntermediateDirectories: true)
        let secret = try workspace.write("secret.txt", "not for mailing")
        try FileManager.default.createSymbolicLink(atPath: inside + "/link.txt", withDestinationPath: secret)
        try FileManager.default.createSymbolicLink(atPath: inside + "/shadow", withDestinationPath: "/etc/shadow")
        for path in ["../secret.txt", secret, "/etc/shadow", "link.txt", "shadow", "../../../../../../etc/passwd", "missing/../../secret.txt"] {
            let file = inside + "/batch.jsonl"
            try Data(batch(path).utf8).write(to: URL(fileURLWithPath: file))
            let result = try workspace.outbox.run(["enqueue", file])
            #expect(result.status == 65, "\(path): \(result.stderr)")
            #expect(result.stderr.contains("batch.jsonl line 1, field 'attachments[0].path': attachment path \(path) is outside the directories"),
                    "\(path): \(result.stderr)")
            #expect(result.stderr.contains("--attachments-from"))
        }
        #expect(try workspace.outbox.run(["events", "--json"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
    }

    @Test func theBatchDirectoryAndAllowedDirectoriesWork() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let inside = workspace.directory + "/batches", shared = workspace.directory + "/shared"
        for directory in [inside, shared] { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        _ = try workspace.write("batches/invoice.pdf", "%PDF invoice")
        _ = try workspace.write("shared/terms.pdf", "%PDF terms")
        // A symlink that stays inside an allowed root is fine.
        try FileManager.default.createSymbolicLink(atPath: inside + "/terms-link.pdf", withDestinationPath: shared + "/terms.pdf")
        let file = inside + "/batch.jsonl"
        try Data((batch("invoice.pdf") + batch(shared + "/terms.pdf") + batch("terms-link.pdf")).utf8).write(to: URL(fileURLWithPath: file))

        let refused = try workspace.outbox.run(["enqueue", file])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("line 2"), "\(refused.stderr)")

        let allowed = try workspace.outbox.run(["enqueue", "--json", "--attachments-from", shared, file])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect((try allowed.json() as? [String: Any])?["enqueued"] as? Int == 3)
    }

    @Test func stdinMayAttachOnlyFromConfiguredRoots() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let file = try workspace.write("terms.pdf", "%PDF terms")
        let none = try workspace.outbox.run(["enqueue", "--config", try workspace.write("empty.conf", ""), "-"], stdin: batch("terms.pdf"),
                                            directory: workspace.directory)
        #expect(none.status == 65)
        #expect(none.stderr.contains("no attachment directory is allowed for this input"), "\(none.stderr)")

        let config = try workspace.write("outbox.conf", "[enqueue]\nattachment-roots = /nonexistent, \(workspace.directory)\n")
        let configured = try workspace.outbox.run(["enqueue", "--config", config, "-"], stdin: batch(file))
        #expect(configured.status == 0, "\(configured.stderr)")

        let relative = try workspace.outbox.run(["enqueue", "--attachments-from", workspace.directory, "-"],
                                                stdin: batch("terms.pdf").replacingOccurrences(of: "\"x\"", with: "\"y\""), directory: workspace.directory)
        #expect(relative.status == 0, "\(relative.stderr)")

        let badConfig = try workspace.write("bad.conf", "[enqueue]\nattachment-roots = relative/dir\n")
        let refused = try workspace.outbox.run(["enqueue", "--config", badConfig, "-"], stdin: batch(file))
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("bad.conf:2") && refused.stderr.contains("not an absolute path"), "\(refused.stderr)")
    }

    /// A hang would never end; three minutes leaves room for a loaded CI machine.
    @Test(.timeLimit(.minutes(10)))
    func aFIFOADirectoryOrADeviceIsRefusedWithoutHanging() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        #expect(mkfifo(workspace.directory + "/pipe", 0o600) == 0)
        try FileManager.default.createDirectory(atPath: workspace.directory + "/folder", withIntermediateDirectories: true)
        for (path, kind) in [("pipe", "a FIFO"), ("folder", "a directory"), ("/dev/zero", "a character device")] {
            let file = try workspace.write("batch.jsonl", batch(path))
            let result = try workspace.outbox.run(["enqueue", "--attachments-from", "/dev", file])
            #expect(result.status == 65, "\(path): \(result.stderr)")
            #expect(result.stderr.contains("is \(kind)") && result.stderr.contains("not a regular file"), "\(path): \(result.stderr)")
        }
    }
}
