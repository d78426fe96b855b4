import Foundation

/// A private Dovecot serving one user's Maildir over IMAP and POP3 on loopback, started
/// by Tests/Servers/dovecot_server.sh as a child process and stopped by ``stop()``.
public final class DovecotServer {
    public static let user = "bounces"
    public static let password = "s3cret-Pa55"

    public let directory: String
    public let imapPort: Int
    public let pop3Port: Int
    private let process: ChildProcess

    /// - Parameter tokenInfoURL: also accept XOAUTH2/OAUTHBEARER logins, checking each bearer
    ///   token at this URL with the token appended (oauth_server.py's
    ///   `http://127.0.0.1:PORT/tokeninfo?access_token=`).
    public init(tokenInfoURL: String? = nil) throws {
        directory = NSTemporaryDirectory() + "outbox-dovecot-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Servers/dovecot_server.sh")
        process = try ChildProcess("/bin/sh", [script.path, directory, Self.user, Self.password] + (tokenInfoURL.map { [$0] } ?? []))
        let line: String
        do { line = try process.firstLineBlocking(within: 60) ?? "" } catch { line = "\(error)" }
        let fields = Dictionary(uniqueKeysWithValues: line.split(separator: " ").dropFirst().compactMap { field -> (String, Int)? in
            let pair = field.split(separator: "=")
            guard pair.count == 2, let port = Int(pair[1].trimmingCharacters(in: .whitespacesAndNewlines)) else { return nil }
            return (String(pair[0]), port)
        })
        guard line.hasPrefix("READY"), let imap = fields["imap"], let pop3 = fields["pop3"] else {
            process.kill()
            _ = try? process.waitForExit(within: 10)
            let errors = String(decoding: process.stderr.suffix(2_000), as: UTF8.self)
            throw CocoaError(.featureUnsupported, userInfo: [NSLocalizedDescriptionKey: "dovecot did not start: \(line) \(errors)"])
        }
        imapPort = imap
        pop3Port = pop3
    }

    /// The user's Maildir.
    public var maildir: String { directory + "/mail/" + Self.user }

    /// Drops a message into the Maildir's `new/`, readable by the mail user.
    public func deliver(_ bytes: [UInt8], name: String) throws {
        let path = maildir + "/new/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o644)
    }

    /// Makes an empty IMAP folder (Maildir++ `.NAME`) owned like the mailbox.
    public func createFolder(_ name: String) throws {
        var info = stat()
        stat(maildir, &info)
        for part in ["", "/cur", "/new", "/tmp"] {
            let path = maildir + "/." + name + part
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            chown(path, info.st_uid, info.st_gid)
        }
    }

    /// The messages in IMAP folder `name` (`new/` and `cur/`), byte for byte.
    public func messages(inFolder name: String) throws -> [[UInt8]] {
        let folder = maildir + "/." + name
        return try ["new", "cur"].flatMap { sub in
            try FileManager.default.contentsOfDirectory(atPath: folder + "/" + sub).sorted().map {
                Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + sub + "/" + $0)))
            }
        }
    }

    /// Messages still in the mailbox (`new/` and `cur/`).
    public func messageCount() throws -> Int {
        try ["new", "cur"].reduce(0) { $0 + (try FileManager.default.contentsOfDirectory(atPath: maildir + "/" + $1).count) }
    }

    /// A password file for `--password-file`.
    public func passwordFile() throws -> String {
        let path = directory + "/password"
        try Data((Self.password + "\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Dovecot's log (logins name their SASL mechanism: `method=XOAUTH2`).
    public func log() -> String {
        (try? String(contentsOfFile: directory + "/dovecot.log", encoding: .utf8)) ?? ""
    }

    public func stop() {
        process.terminateBlocking(grace: 10)
        process.kill()  // a dovecot process the script's trap did not reach
        try? FileManager.default.removeItem(atPath: directory)
    }
}
