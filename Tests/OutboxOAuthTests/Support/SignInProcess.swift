import Foundation
import OutboxTestSupport
import OutboxTransport

/// `outbox profile oauth … --provider google` running in the background, so the test can
/// play the browser: read the URL it prints, follow the authority's redirect, and either
/// load the redirect (the loopback listener) or paste it on the command's standard input.
final class SignInProcess {
    private let process: ChildProcess
    private let outPath: String
    private let errPath: String

    init(database: String, arguments: [String], environment extra: [String: String]) throws {
        let base = NSTemporaryDirectory() + "outbox-signin-" + UUID().uuidString
        outPath = base + ".out"
        errPath = base + ".err"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        var environment = ProcessInfo.processInfo.environment
        environment["OUTBOX_DB"] = database
        environment.merge(extra) { $1 }
        process = try ChildProcess(OutboxExecutable.url.path, ["profile", "oauth"] + arguments, environment: environment,
                                   stdin: .pipe, stdout: .file(outPath), stderr: .file(errPath))
    }

    deinit {
        if process.isRunning { process.kill() }
        try? FileManager.default.removeItem(atPath: outPath)
        try? FileManager.default.removeItem(atPath: errPath)
    }

    var stdout: String { (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "" }

    /// The sign-in URL the command printed (waits up to 20 s for it).
    func printedURL() throws -> String {
        for _ in 0..<200 {
            if let line = stdout.split(separator: "\n").first(where: { $0.hasPrefix("  http") }) {
                return line.trimmingCharacters(in: .whitespaces)
            }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw SignInError(message: "no sign-in URL printed: \(stdout) \(stderr)")
    }

    /// Pastes `line` as the admin would, from a browser on another machine.
    func paste(_ line: String) throws { process.write(Array((line + "\n").utf8)) }

    /// Waits for the command to end (at most 30 s) and returns its exit status.
    func finish() throws -> Int32 {
        do { return try process.waitForExit(within: 30).status } catch { throw SignInError(message: "the sign-in did not end: \(stdout) \(stderr)") }
    }

    /// GETs `url` without following redirects, as a browser's first hop.
    static func get(_ url: String) throws -> HTTPResponse {
        try HTTPClient.perform(HTTPRequest(method: .get, url: url, headers: [], body: [], connectTimeout: .seconds(5), totalTimeout: .seconds(10),
                                           caFile: nil, maximumResponseBytes: 64 * 1024))
    }
}

struct SignInError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
