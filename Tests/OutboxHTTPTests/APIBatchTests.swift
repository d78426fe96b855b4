import Foundation
import OutboxTestSupport
import Testing

/// `POST /v1/batches` and the lookups, over real HTTP against `outbox serve`: the batch
/// document of `outbox enqueue`, written whole or not at all, idempotent by its key.
@Suite(.timeLimit(.minutes(10))) struct APIBatchTests {
    static let batch = """
        {"key": "INV-2026-11", "owner": "billing", "subject": "Arve", "text": "Tere",
         "messages": [
           {"key": "ERP-1", "to": ["Mari Maasikas <mari@example.com>"]},
           {"key": "ERP-2", "to": ["jaan@example.com"]}
         ]}
        """

    @Test func aBatchIsWrittenOnceAndItsKeyAnswersTheSame() throws {
        let serve = try APIServe()
        defer { serve.stop() }
        let token = try serve.token("erp")
        let first = try serve.call("POST", "/v1/batches", token: token, body: Self.batch)
        #expect(first.status == 201, "\(first.body)")
        #expect(first.json?["enqueued"] as? Int == 2)
        #expect(first.json?["duplicateBatch"] as? Bool == false)
        #expect(first.headers["location"] == "/v1/batches/INV-2026-11")

        let again = try serve.call("POST", "/v1/batches", token: token, body: Self.batch)
        #expect(again.status == 200)
        #expect(again.json?["duplicateBatch"] as? Bool == true)
        #expect(again.json?["batchID"] as? Int == first.json?["batchID"] as? Int)
        #expect(again.json?["enqueued"] as? Int == 2)
        let listed = try serve.outbox.run(["list", "--json", "--db", serve.database])
        #expect((try listed.json() as? [Any])?.count == 2, "nothing new was written: \(listed.stdout)")

        let batch = try serve.call("GET", "/v1/batches/INV-2026-11", token: token)
        #expect(batch.status == 200)
        #expect(batch.json?["enqueued"] as? Int == 2)
        #expect((batch.json?["states"] as? [String: Int])?.values.reduce(0, +) == 2)
        #expect(try serve.call("GET", "/v1/batches/NO-SUCH", token: token).status == 404)

        let byKey = try serve.call("GET", "/v1/messages?key=ERP-2", token: token)
        let summary = byKey.json?["summary"] as? [String: Any]
        #expect(summary?["key"] as? String == "ERP-2")
        let id = try #require(summary?["id"] as? Int)
        let byID = try serve.call("GET", "/v1/messages/\(id)", token: token)
        #expect((byID.json?["recipients"] as? [[String: Any]])?.first?["address"] as? String == "jaan@example.com")
        #expect(try serve.call("GET", "/v1/messages", token: token).status == 400)
    }

    @Test func refusedInputNamesLineAndFieldAsTheCommandLineDoes() throws {
        let serve = try APIServe()
        defer { serve.stop() }
        let token = try serve.token("erp")
        let lines = """
            {"batch": {"key": "L-1", "owner": "billing", "subject": "Arve", "text": "Tere"}}
            {"to": ["mari@example.com"]}
            {"to": ["not an address"]}
            """
        let refused = try serve.call("POST", "/v1/batches", token: token, body: lines, headers: ["Content-Type": "application/x-ndjson"])
        #expect(refused.status == 400)
        let error = try #require(refused.error)
        #expect(error["location"] as? String == "request line 3")
        #expect(error["field"] as? String == "to[0]")
        let cli = try serve.outbox.run(["enqueue", "--db", serve.database, "-"], stdin: lines)
        #expect(cli.status == 65)
        #expect(cli.stderr.contains("stdin line 3, field 'to[0]': \(error["message"] as? String ?? "?")"), "\(cli.stderr)")

        let syntax = try serve.call("POST", "/v1/batches", token: token, body: "{\"owner\": \"billing\",\n \"messages\": [\n {\"to\": }]}")
        #expect(syntax.status == 400)
        #expect(syntax.error?["code"] as? String == "syntax")
        #expect((syntax.error?["location"] as? String)?.hasPrefix("request line 3") == true, "\(syntax.body)")
        let unknown = try serve.call("POST", "/v1/batches", token: token, body: #"{"messages": [{"to": ["a@example.com"], "text": "x", "atachments": []}]}"#)
        #expect(unknown.status == 400 && unknown.error?["field"] as? String == "atachments", "\(unknown.body)")

        let tooLarge = try serve.call("POST", "/v1/batches", token: token, body: String(repeating: " ", count: 70_000) + Self.batch)
        #expect(tooLarge.status == 413)
        #expect(tooLarge.error?["code"] as? String == "tooLarge")
        let listed = try serve.outbox.run(["list", "--json", "--db", serve.database])
        #expect((try listed.json() as? [Any])?.isEmpty == true, "nothing partial was written: \(listed.stdout)")
    }

    @Test func anAttachmentUploadedOnceIsNamedByItsReference() throws {
        let serve = try APIServe()
        defer { serve.stop() }
        let token = try serve.token("erp")
        let pdf = Array("%PDF-1.4 terms and conditions\n".utf8)
        let upload = try serve.call("POST", "/v1/attachments", token: token, bytes: pdf, headers: ["Content-Type": "application/pdf"])
        #expect(upload.status == 201, "\(upload.body)")
        let reference = try #require(upload.json?["contentRef"] as? String)
        #expect(reference.hasPrefix("sha256:") && upload.json?["size"] as? Int == pdf.count)
        let again = try serve.call("POST", "/v1/attachments", token: token, bytes: pdf)
        #expect(again.status == 200 && again.json?["created"] as? Bool == false && again.json?["contentRef"] as? String == reference)

        let inline = Data("<arve/>".utf8).base64EncodedString()
        let batch = """
            {"owner": "billing", "subject": "Arve", "text": "Tere",
             "attachments": [{"filename": "terms.pdf", "contentRef": "\(reference)"}],
             "messages": [{"key": "A-1", "to": ["a@example.com"], "attachments": [{"filename": "e-arve.xml", "content": "\(inline)"}]}]}
            """
        let written = try serve.call("POST", "/v1/batches", token: token, body: batch)
        #expect(written.status == 201, "\(written.body)")
        let message = try serve.call("GET", "/v1/messages?key=A-1", token: token)
        let names = ((message.json?["attachments"] as? [[String: Any]]) ?? []).compactMap { $0["filename"] as? String }
        #expect(names == ["terms.pdf", "e-arve.xml"])

        let unknown = "sha256:" + String(repeating: "ab", count: 32)
        let missing = try serve.call("POST", "/v1/batches", token: token, body: #"{"owner": "billing", "subject": "Arve", "messages": [{"to": ["a@example.com"], "text": "x", "attachments": [{"filename": "x.pdf", "contentRef": "\#(unknown)"}]}]}"#)
        #expect(missing.status == 400 && missing.error?["field"] as? String == "attachments[0].contentRef", "\(missing.body)")
        let path = try serve.call("POST", "/v1/batches", token: token, body: #"{"owner": "billing", "subject": "Arve", "messages": [{"to": ["a@example.com"], "text": "x", "attachments": ["/etc/passwd"]}]}"#)
        #expect(path.status == 400 && path.error?["code"] as? String == "attachmentOutsideRoots", "\(path.body)")
    }

    @Test func cancelAndRetryAnswerWhatTheyDid() throws {
        // No relay and no profile: the messages wait in the queue.
        let serve = try APIServe()
        defer { serve.stop() }
        let token = try serve.token("erp")
        #expect(try serve.call("POST", "/v1/batches", token: token, body: Self.batch).status == 201)
        let id = try #require((try serve.call("GET", "/v1/messages?key=ERP-1", token: token).json?["summary"] as? [String: Any])?["id"] as? Int)
        let cancelled = try serve.call("POST", "/v1/messages/\(id)/cancel", token: token)
        #expect(cancelled.status == 200 && cancelled.json?["changed"] as? Int == 1, "\(cancelled.body)")
        #expect(try serve.call("POST", "/v1/messages/\(id)/cancel", token: token).status == 409)
        #expect(try serve.call("POST", "/v1/messages/\(id)/retry", token: token).status == 409)
        let state = (try serve.call("GET", "/v1/messages/\(id)", token: token).json?["summary"] as? [String: Any])?["state"] as? String
        #expect(state == "cancelled")
        #expect(try serve.call("POST", "/v1/messages/999/retry", token: token).status == 404)
    }
}
