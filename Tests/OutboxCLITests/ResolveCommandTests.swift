import Foundation
import OutboxTestSupport
import Testing

/// Issue #18 part 3 through the real binary: a server that drops the connection after the
/// final "." leaves two messages with an unknown outcome; `status` and `show` say so, `serve`
/// does not send them again, and `outbox resolve` records one as sent and resends the other.
@Suite struct ResolveCommandTests {
    @Test func anOperatorResolvesUnknownOutcomesAndNothingIsSentTwiceSilently() throws {
        try withTestSMTPServer(["--drop-in-data", "--drop-count", "2"]) { smtp in
            let workspace = try Workspace()
            defer { workspace.cleanUp() }
            let outbox = workspace.outbox
            let set = try outbox.run(["profile", "set", "mari", "--mode", "smtp", "--host", "127.0.0.1", "--port", String(smtp.port),
                                      "--tls", "none", "--from", "mari@firma.example"])
            #expect(set.status == 0, "\(set.stderr)")
            let batch = try workspace.write("batch.json", #"{"owner": "mari", "subject": "Arve", "text": "Tere!", "messages": [{"to": ["juri@example.ee"]}, {"to": ["liga@example.lv"]}]}"#)
            #expect(try outbox.run(["enqueue", batch]).status == 0)

            let first = try outbox.run(["serve", "--once", "--relay", "smtp://127.0.0.1:1"])
            #expect(first.stdout.contains("unknown 2"), "\(first.stdout)\(first.stderr)")
            let status = try outbox.run(["status"])
            #expect(status.stdout.contains("outcome unknown (connection lost after the final \".\"; resolve with outbox resolve ID --sent|--resend): 2"),
                    "\(status.stdout)")
            #expect(status.stdout.contains("message 1 of mari: outcome unknown since ") && status.stdout.contains("held for an operator"))
            #expect(try outbox.run(["show", "1"]).stdout.contains("outcome unknown since "))
            #expect(!(try outbox.run(["show", "1"]).stdout.contains("next attempt: 9999")))

            // Another run sends nothing: the messages wait for the operator.
            #expect(try outbox.run(["serve", "--once", "--relay", "smtp://127.0.0.1:1"]).stdout.contains("sent 0"))
            #expect(try smtp.messages().count == 2)

            let sent = try outbox.run(["resolve", "1", "--sent"])
            #expect(sent.status == 0 && sent.stdout.contains("message 1 recorded as sent"), "\(sent.stdout)\(sent.stderr)")
            let resend = try outbox.run(["resolve", "2", "--resend"])
            #expect(resend.status == 0 && resend.stdout.contains("message 2 due now"), "\(resend.stdout)\(resend.stderr)")
            let again = try outbox.run(["resolve", "1", "--resend"])
            #expect(again.status != 0 && again.stderr.contains("message 1 has no unknown outcome to resolve"), "\(again.stderr)")
            #expect(try outbox.run(["resolve", "1"]).status != 0)  // --sent or --resend is required

            let last = try outbox.run(["serve", "--once", "--relay", "smtp://127.0.0.1:1"])
            #expect(last.stdout.contains("sent 1"), "\(last.stdout)\(last.stderr)")
            #expect(try smtp.messages().map(\.outcome) == ["dropped", "dropped", "accepted"])
            let list = try outbox.run(["status"]).stdout
            #expect(list.contains("sent 2") && !list.contains("outcome unknown"), "\(list)")
            #expect(try outbox.run(["events", "--kind", "resolved"]).stdout.components(separatedBy: "resolved").count - 1 == 2)
        }
    }
}
