import Foundation

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

    private static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [script] + arguments
        let errors = NSTemporaryDirectory() + "outbox-postfix-stderr-" + UUID().uuidString
        _ = FileManager.default.createFile(atPath: errors, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errors) }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errors))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errData = (try? Data(contentsOf: URL(fileURLWithPath: errors))) ?? Data()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}
