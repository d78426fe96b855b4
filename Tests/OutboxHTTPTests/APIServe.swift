import Foundation
import OutboxTestSupport

/// `outbox serve` with `[http] listen = 127.0.0.1:0` as a process, its port read from its
/// log, and requests made by Python's http.client (Tests/Servers/api_client.py): a
/// client that is not ours, over real loopback HTTP.
final class APIServe {
    let workspace: Workspace
    let port: Int
    private let process: ChildProcess
    private let logPath: String

    var database: String { workspace.directory + "/outbox.db" }
    var outbox: OutboxProcess { workspace.outbox }

    /// - Parameters:
    ///   - config: more of outbox.conf (a `[relay]` section); `[http]` is written here.
    ///   - http: more lines of the `[http]` section.
    ///   - prepare: runs before serve starts (profiles, DKIM keys, tokens).
    init(config: String = "", http: String = "", maxBodyBytes: Int = 65_536, prepare: (Workspace) throws -> Void = { _ in }) throws {
        workspace = try Workspace()
        try prepare(workspace)
        let path = try workspace.write("outbox.conf", "[http]\nlisten = 127.0.0.1:0\nmax-body-bytes = \(maxBodyBytes)\n\(http)\n" + config)
        logPath = try workspace.write("serve.log", "")
        process = try ChildProcess(OutboxProcess.executable.path,
                                   ["serve", "--config", path, "--db", workspace.directory + "/outbox.db", "--poll", "50ms"],
                                   stdout: .null, stderr: .file(logPath))
        let deadline = Date().addingTimeInterval(60)
        var found: Int?
        let marker = "HTTP API listening on 127.0.0.1:"
        while found == nil, Date() < deadline, process.isRunning {
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            if let range = log.range(of: marker) { found = Int(log[range.upperBound...].prefix { $0.isNumber }) }
            if found == nil { usleep(50_000) }
        }
        guard let found else {
            process.kill()
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            throw TestServerError(message: "serve did not start its HTTP API: \(log)")
        }
        port = found
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// SIGTERM, then waits (SIGKILL after 30 s); returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        defer { workspace.cleanUp() }
        return process.terminateBlocking(grace: 30).status
    }

    /// ``stop()`` suspending the task instead of blocking its thread.
    @discardableResult
    func stopped() async -> Int32 {
        defer { workspace.cleanUp() }
        return await process.terminate(grace: 30).status
    }

    /// A token made with `outbox api-token create`, as an operator would.
    func token(_ name: String, owners: [String] = []) async throws -> String {
        try Self.token(try await outbox.run(tokenArguments(name, owners: owners)))
    }

    /// ``token(_:owners:)`` for synchronous tests: blocks the calling thread while the command runs.
    func token(_ name: String, owners: [String] = []) throws -> String {
        try Self.token(try outbox.run(tokenArguments(name, owners: owners)))
    }

    private func tokenArguments(_ name: String, owners: [String]) -> [String] {
        ["api-token", "create", name, "--db", database] + owners.flatMap { ["--owner", $0] }
    }

    private static func token(_ result: OutboxProcess.Result) throws -> String {
        guard result.status == 0 else { throw TestServerError(message: "api-token create failed: \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    struct Reply {
        let status: Int
        let headers: [String: String]
        let body: String
        let json: [String: Any]?

        var error: [String: Any]? { json?["error"] as? [String: Any] }
    }

    /// One request; `body` is sent as given.
    func call(_ method: String, _ path: String, token: String?, body: String? = nil, bytes: [UInt8]? = nil, headers: [String: String] = [:],
              caFile: String? = nil) async throws -> Reply {
        Self.reply(try await Self.client(try clientArguments(method, path, token: token, body: body, bytes: bytes, headers: headers, caFile: caFile)))
    }

    /// ``call(_:_:token:body:bytes:headers:caFile:)`` for synchronous tests: blocks the calling thread while the request runs.
    func call(_ method: String, _ path: String, token: String?, body: String? = nil, bytes: [UInt8]? = nil, headers: [String: String] = [:],
              caFile: String? = nil, timeout: Double? = nil) throws -> Reply {
        Self.reply(try Self.client(try clientArguments(method, path, token: token, body: body, bytes: bytes, headers: headers, caFile: caFile)
                                   + (timeout.map { ["--timeout", String($0)] } ?? [])))
    }

    private func clientArguments(_ method: String, _ path: String, token: String?, body: String?, bytes: [UInt8]?, headers: [String: String],
                                 caFile: String?) throws -> [String] {
        var arguments = ["request", method, String(port), path]
        if let caFile { arguments += ["--ca-file", caFile] }
        if let token { arguments += ["--token", token] }
        for (name, value) in headers { arguments += ["--header", "\(name): \(value)"] }
        if body != nil || bytes != nil {
            let file = workspace.directory + "/body-" + UUID().uuidString
            try Data(bytes ?? Array((body ?? "").utf8)).write(to: URL(fileURLWithPath: file))
            arguments += ["--body-file", file]
        }
        return arguments
    }

    private static func reply(_ output: [String: Any]) -> Reply {
        Reply(status: output["status"] as? Int ?? 0, headers: output["headers"] as? [String: String] ?? [:],
              body: output["body"] as? String ?? "", json: output["json"] as? [String: Any])
    }

    /// Runs api_client.py and parses its one JSON object.
    static func client(_ arguments: [String]) async throws -> [String: Any] {
        try parsed(arguments, try await ChildProcess.run("python3", [serversDirectory + "/api_client.py"] + arguments))
    }

    /// ``client(_:)`` for synchronous tests: blocks the calling thread while the request runs.
    static func client(_ arguments: [String]) throws -> [String: Any] {
        try parsed(arguments, try ChildProcess.runBlocking("python3", [serversDirectory + "/api_client.py"] + arguments))
    }

    private static func parsed(_ arguments: [String], _ completion: ChildProcess.Completion) throws -> [String: Any] {
        guard completion.status == 0, let object = try? JSONSerialization.jsonObject(with: Data(completion.stdout)) as? [String: Any] else {
            throw TestServerError(message: "api_client.py \(arguments.prefix(3)) failed: \(completion.stderrText)")
        }
        return object
    }

    static let serversDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Servers").path
}
