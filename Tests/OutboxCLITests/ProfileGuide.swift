import Foundation
import OutboxCore
import OutboxStore
import OutboxTestSupport
import Testing

/// A user following the README's profile guide: a workspace with a database and an
/// outbox.conf, the commands they type, and the mail that arrives at loopback stand-ins.
struct ProfileGuide {
    let workspace: Workspace
    var outbox: OutboxProcess { workspace.outbox }
    /// `--config` for commands that read outbox.conf (profile test, resolve, serve).
    let configPath: String

    /// - Parameter conf: outbox.conf text (a `[relay]` and `[reply-to]` for the relay modes).
    init(conf: String = "") throws {
        workspace = try Workspace()
        configPath = try workspace.write("outbox.conf", conf + "\n[retry]\nfirst-delay = 1s\n")
    }

    func cleanUp() { workspace.cleanUp() }

    /// Runs `outbox ARGUMENTS` and expects exit status 0.
    @discardableResult
    func run(_ arguments: [String], stdin: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> OutboxProcess.Result {
        let result = try outbox.run(arguments, stdin: stdin)
        #expect(result.status == 0, "outbox \(arguments.joined(separator: " ")): \(result.stdout)\(result.stderr)", sourceLocation: sourceLocation)
        return result
    }

    /// Enqueues one message of `owner` to `to`, as the ERP would.
    func enqueue(owner: String, to: String = "klient@example.ee", subject: String = "Arve 1") throws {
        let batch = try workspace.write("batch-\(UUID().uuidString).json", """
            {"owner": "\(owner)", "subject": "\(subject)", "text": "Tere!\\n\\nArve on lisatud.", "messages": [{"to": ["\(to)"]}]}
            """)
        try run(["enqueue", batch])
    }

    /// `outbox serve --once` with the guide's configuration; returns its output (stderr is the log).
    @discardableResult
    func serveOnce() throws -> OutboxProcess.Result {
        try outbox.run(["serve", "--once", "--config", configPath, "--workers", "1"])
    }

    /// The events of `kind`, as `outbox events --json` prints them.
    func events(_ kind: String) throws -> [[String: Any]] {
        let result = try outbox.run(["events", "--kind", kind, "--json"])
        return (try result.json() as? [[String: Any]]) ?? []
    }

    /// A field of `outbox profile show OWNER --json`.
    func stored(_ owner: String, _ field: String) throws -> Any? {
        (try outbox.run(["profile", "show", owner, "--json"]).json() as? [String: Any])?[field]
    }

    /// `outbox profile resolve OWNER --json` as name → (value, origin).
    func resolved(_ owner: String) throws -> [String: (value: String?, origin: String?)] {
        let json = try outbox.run(["profile", "resolve", owner, "--json", "--config", configPath]).json() as? [String: Any]
        let fields = json?["fields"] as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: fields.map { ($0["name"] as! String, ($0["value"] as? String, $0["origin"] as? String)) })
    }

    /// The owner's stored layer, read from the database (to see what was stored, secrets included).
    func storedFields(_ owner: String) throws -> ProfileFields? {
        try OutboxDatabase(path: outbox.database).profileFields(owner: owner)
    }
}

extension ServerEvent {
    /// The message text (headers and body).
    var text: String { bytes.map { String(decoding: $0, as: UTF8.self) } ?? "" }
}
