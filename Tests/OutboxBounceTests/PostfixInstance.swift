import Foundation
import OutboxTestSupport

/// A private Postfix on loopback started by Tests/Servers/postfix_instance.sh: mail for
/// example.net goes to the SMTP server on `relayPort`, mail for bounce.outbox.test into a
/// Maildir or to a pipe command. ``stop()`` runs `postfix stop` (call it in a `defer`).
final class PostfixInstance {
    enum BounceDoor {
        /// Virtual mailbox domain: delivered into `base/mailbox/` as `uid:gid`.
        case maildir(base: String, mailbox: String, uid: uid_t, gid: gid_t)
        /// A master.cf `pipe` transport running `argv` as `user`.
        case pipe(user: String, argv: [String])
    }

    /// Postfix's master runs as root; the tests that need it are enabled only then (a missing
    /// postfix is installed by the script, or the test fails saying so).
    static var available: Bool { getuid() == 0 }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Servers/postfix_instance.sh").path

    let directory: String
    let smtpPort: Int

    init(relayPort: Int, door: BounceDoor) throws {
        directory = NSTemporaryDirectory() + "outbox-postfix-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var arguments = ["start", directory + "/pf", String(relayPort)]
        switch door {
        case let .maildir(base, mailbox, uid, gid): arguments += ["maildir", base, mailbox, String(uid), String(gid)]
        case let .pipe(user, argv): arguments += ["pipe", user] + argv
        }
        let started = try Self.run(arguments)
        guard started.status == 0, started.stdout.hasPrefix("READY smtp="),
              let port = Int(started.stdout.dropFirst("READY smtp=".count).trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            _ = try? Self.run(["stop", directory + "/pf"])
            throw CocoaError(.featureUnsupported, userInfo: [NSLocalizedDescriptionKey: "postfix did not start (\(started.status)): \(started.stdout) \(started.stderr)"])
        }
        smtpPort = port
    }

    /// Postfix's log (`maillog_file`).
    var log: String { (try? String(contentsOfFile: directory + "/pf/maillog", encoding: .utf8)) ?? "" }

    /// `postqueue -f`: attempt to deliver everything queued now.
    func flush() { _ = try? Self.run(["flush", directory + "/pf"]) }

    func stop() {
        _ = try? Self.run(["stop", directory + "/pf"])
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs postfix_instance.sh to its end (at most 2 minutes), its output in files: the
    /// Postfix daemons it starts inherit them.
    private static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let base = NSTemporaryDirectory() + "outbox-postfix-" + UUID().uuidString
        defer { unlink(base + ".out"); unlink(base + ".err") }
        let process = try ChildProcess("/bin/sh", [script] + arguments, stdout: .file(base + ".out"), stderr: .file(base + ".err"))
        let status = try process.waitForExit(within: 120).status
        let read = { (path: String) in (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        return (status, read(base + ".out"), read(base + ".err"))
    }
}
