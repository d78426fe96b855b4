import Foundation
import OutboxTestSupport

/// `outbox serve` with `[http] listen = 127.0.0.1:0` as a process, its port read from its
/// log, and requests made by Python's http.client (Tests/Servers/api_client.py): a
/// client that is not ours, over real loopback HTTP.
final class APIServe {
    let workspace: Workspace
    let port: Int
    private let process: Process
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
        process = Process()
        process.executableURL = OutboxProcess.executable
        process.arguments = ["serve", "--config", path, "--db", workspace.directory + "/outbox.db", "--poll", "50ms"]
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        var found: Int?
        let marker = "HTTP API listening on 127.0.0.1:"
        while found == nil, Date() < deadline, process.isRunning {
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            if let range = log.range(of: marker) { found = Int(log[range.upperBound...].prefix { $0.isNumber }) }
            if found == nil { usleep(50_000) }
        }
        guard let found else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            throw TestServerError(message: "serve did not start its HTTP API: \(log)")
        }
        port = found
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// SIGTERM, then waits; returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning, Date() < deadline { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        workspace.cleanUp()
        return process.terminationStatus
    }

    /// A token made with `outbox api-token create`, as an operator would.
    func token(_ name: String, owners: [String] = []) throws -> String {
        let result = try outbox.run(["api-token", "create", name, "--db", database] + owners.flatMap { ["--owner", $0] })
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
              caFile: String? = nil) throws -> Reply {
        var arguments = ["request", method, String(port), path]
        if let caFile { arguments += ["--ca-file", caFile] }
        if let token { arguments += ["--token", token] }
        for (name, value) in headers { arguments += ["--header", "\(name): \(value)"] }
        if body != nil || bytes != nil {
            let file = workspace.directory + "/body-" + UUID().uuidString
            try Data(bytes ?? Array((body ?? "").utf8)).write(to: URL(fileURLWithPath: file))
            arguments += ["--body-file", file]
        }
        let output = try Self.client(arguments)
        return Reply(status: output["status"] as? Int ?? 0, headers: output["headers"] as? [String: String] ?? [:],
                     body: output["body"] as? String ?? "", json: output["json"] as? [String: Any])
    }

    /// Runs api_client.py and parses its one JSON object.
    static func client(_ arguments: [String]) throws -> [String: Any] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", serversDirectory + "/api_client.py"] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw TestServerError(message: "api_client.py \(arguments.prefix(3)) failed: \(String(decoding: errors, as: UTF8.self))")
        }
        return object
    }

    static let serversDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Servers").path
}
