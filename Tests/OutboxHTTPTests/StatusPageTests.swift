import Foundation
import OutboxTestSupport
import Testing

/// The status page of a running `outbox serve` that relayed mail to aiosmtpd (one
/// recipient refused with 550): read over real HTTP by Python's http.client, signed in
/// through the login form's cookie, and rendered by headless Chromium.
@Suite(.timeLimit(.minutes(10))) struct StatusPageTests {
    static let refusal = "gone@example.com=550 5.1.1 No such user"
    static let batch = #"""
        {"key": "S1", "owner": "billing", "subject": "Arve", "text": "Tere", "messages": [
          {"key": "S1-1", "to": ["mari@example.com"]}, {"key": "S1-2", "to": ["jaan@example.com"]},
          {"key": "S1-3", "to": ["gone@example.com"]}]}
        """#

    /// Serve relaying to `server`, with one batch handed over and finished (2 sent, 1 failed).
    static func servingAfterABatch(through server: TestSMTPServer, http: String = "") async throws -> (APIServe, String) {
        let serve = try APIServe(config: "[relay]\nhost = 127.0.0.1\nport = \(server.port)\ntls = none\n", http: http) { workspace in
            let database = workspace.directory + "/outbox.db"
            _ = try workspace.outbox.run(["profile", "set", "billing", "--db", database, "--mode", "system", "--from", "billing@firma.example"])
            _ = try workspace.outbox.run(["dkim", "keygen", "--db", database, "--domain", "firma.example", "--selector", "s1", "--algorithm", "ed25519"])
        }
        let token = try await serve.token("operator")
        #expect(try await serve.call("POST", "/v1/batches", token: token, body: batch).status == 201)
        // The last look comes after the deadline: a loop resumed late on a starved pool still sees the outcome.
        let deadline = Date().addingTimeInterval(120)
        while true {
            let late = Date() >= deadline
            let states = try await serve.call("GET", "/v1/batches/S1", token: token).json?["states"] as? [String: Int]
            if states == ["sent": 2, "failed": 1] || late { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        return (serve, token)
    }

    @Test func theStatusPageNeedsTheTokenAndShowsQueueChartsAndFailures() async throws {
        try await withTestSMTPServer(["--rcpt-reply", Self.refusal]) { server in
            let (serve, token) = try await Self.servingAfterABatch(through: server)
            defer { serve.stop() }
            let billing = try await serve.token("billing-app", owners: ["billing"])

            // Without a token a browser is sent to the login form; a bad or owner-limited token does not sign in.
            let anonymous = try await serve.call("GET", "/", token: nil)
            #expect(anonymous.status == 303 && anonymous.headers["location"] == "/status/login")
            #expect(try await serve.call("GET", "/status/messages/1", token: nil).status == 303)
            #expect(try await serve.call("GET", "/status/login", token: nil).body.contains("<form method=\"post\""))
            let form = ["Content-Type": "application/x-www-form-urlencoded"]
            #expect(try await serve.call("POST", "/status/login", token: nil, body: "token=obx_wrong", headers: form).status == 401)
            #expect(try await serve.call("POST", "/status/login", token: nil, body: "token=\(billing)", headers: form).status == 401)
            #expect(try await serve.call("GET", "/", token: billing).status == 403)

            let login = try await serve.call("POST", "/status/login", token: nil, body: "token=\(token)", headers: form)
            #expect(login.status == 303 && login.headers["location"] == "/")
            let cookie = try #require(login.headers["set-cookie"])
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
            let pair = String(cookie.prefix { $0 != ";" })
            // The cookie opens the status pages only, never the API.
            #expect(try await serve.call("GET", "/v1/batches/S1", token: nil, headers: ["Cookie": pair]).status == 401)

            let page = try await serve.call("GET", "/", token: nil, headers: ["Cookie": pair])
            #expect(page.status == 200, "\(page.body)")
            #expect(page.headers["content-type"]?.hasPrefix("text/html") == true)
            for part in ["<svg id=\"queue-chart\"", "<svg id=\"minute-chart\"", "id=\"sent-series\"", "id=\"failed-series\"",
                         "<svg id=\"reason-chart\"", "2 sent · 1 failed · 0 bounced", "gone@example.com", "name=\"viewport\""] {
                #expect(page.body.contains(part), "missing \(part)")
            }
            #expect(!page.body.contains("<script"))
            #expect(!page.body.contains(token), "the page never shows the token")

            // The failure links to its message's timeline, which the bearer token also opens.
            let failedID = try #require((try await serve.call("GET", "/v1/messages?key=S1-3", token: token).json?["summary"] as? [String: Any])?["id"] as? Int)
            #expect(page.body.contains("href=\"/status/messages/\(failedID)\""))
            let timeline = try await serve.call("GET", "/status/messages/\(failedID)", token: token)
            #expect(timeline.status == 200)
            for part in ["Message #\(failedID)", "gone@example.com", "attempt", "failed", "550"] {
                #expect(timeline.body.contains(part), "timeline misses \(part)")
            }
            #expect(try await serve.call("GET", "/status/messages/999999", token: token).status == 404)
            // Read-only: the pages take no other method (405 naming the one they take).
            let post = try await serve.call("POST", "/", token: token, body: "")
            #expect(post.status == 405 && post.headers["allow"] == "GET")
        }
    }

    @Test func headlessChromiumRendersTheChartsWithTheirColours() async throws {
        let chromium = try #require(["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) },
                                    "chromium is not installed (scripts/install-deps --test)")
        try await withTestSMTPServer(["--rcpt-reply", Self.refusal]) { server in
            let (serve, _) = try await Self.servingAfterABatch(through: server, http: "status-page-without-token = yes\n")
            defer { serve.stop() }
            let url = "http://127.0.0.1:\(serve.port)/"
            // Through a proxy (a forwarding header) the page still needs the token.
            #expect(try await serve.call("GET", "/", token: nil, headers: ["X-Forwarded-For": "203.0.113.9"]).status == 303)

            let profile = serve.workspace.directory + "/chromium"
            let common = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=" + profile]
            let dom = try await Self.run(chromium, common + ["--dump-dom", url])
            for part in ["<svg id=\"queue-chart\"", "<path id=\"sent-series\"", "<path id=\"failed-series\"", "<svg id=\"reason-chart\"", "<rect class=\"bar\""] {
                #expect(dom.contains(part), "the rendered DOM misses \(part)")
            }
            let png = serve.workspace.directory + "/status.png"
            _ = try await Self.run(chromium, common + ["--window-size=420,1400", "--screenshot=" + png, url])
            let colours = try await Self.run("/usr/bin/env", ["python3", APIServe.serversDirectory + "/png_colours.py", png, "#2e7d32", "#c62828", "#1565c0", "#ffffff"])
            let figures = try #require(try JSONSerialization.jsonObject(with: Data(colours.utf8)) as? [String: Any])
            let counts = try #require(figures["counts"] as? [String: Int])
            #expect(figures["width"] as? Int == 420)
            #expect((figures["distinct"] as? Int ?? 0) > 20, "the screenshot is not blank")
            #expect((counts["#1565c0"] ?? 0) > 200, "queue bars: \(counts)")
            #expect((counts["#2e7d32"] ?? 0) > 20, "sent columns: \(counts)")
            #expect((counts["#c62828"] ?? 0) > 20, "failure columns and reason bars: \(counts)")
        }
    }

    /// Runs a program to its end (at most 2 minutes); its standard output.
    static func run(_ path: String, _ arguments: [String]) async throws -> String {
        let result = try await ChildProcess.run(path, arguments)
        guard result.status == 0 else { throw TestServerError(message: "\(path) \(arguments.last ?? "") exited \(result.status): \(result.stderrText.suffix(2_000))") }
        return result.stdoutText
    }
}
