import Foundation
import Testing
@testable import OutboxCore

/// A message line read in the strict check's own pass (``StrictJSON/checkCapturing(_:firstLine:)``
/// and ``MessageFields/init(flat:)``) gives exactly what `JSONDecoder` gives; any line the
/// flat reading does not take is left to the decoder, and the check's errors are unchanged.
@Suite struct FlatMessageFieldsTests {
    static let flatLines = [
        #"{"owner":"bench","subject":"Invoice 1","text":"Tere!\nArve on lisatud.\n","to":["c1@example.net"],"key":"invoice-00000001"}"#,
        #"{"to": ["Jüri Õun <juri@example.ee>", "b@example.net"], "cc": [], "bcc": ["x@example.org"], "priority": -3, "html": "<p>\u00e9\ud83d\ude00\/</p>"}"#,
        #"{ "subject" : "quote \" backslash \\ tab \t", "priority": 0, "text": "" }"#,
        #"{"priority": 123456789012345, "owner": "\u0041\u00df"}"#,
        #"{"to": [{"address": "a@example.net", "name": "Klient 0"}, "b@example.net", {"name": "Ü", "address": "c@example.net"}, {"address": "d@example.net"}], "text": "kuupäev"}"#,
        "{}",
        #"{"attachments": ["invoice.pdf"], "to": ["a@example.net"]}"#,
        #"{"key": "inv-10", "attachments": [{"path": "/srv/arved/own/invoice-10.pdf"}, {"filename": "e-arve.xml", "content": "PGE+PC9hPg==", "contentType": "application/xml"}, {"contentRef": "sha256:0123", "filename": "terms.pdf"}]}"#,
        #"{"attachments": []}"#,
        // Escapes at the ends, side by side, between long plain runs and next to multi-byte characters.
        #"{"text": "\nTere! Arve on lisatud, lugupidamisega.\n\n\t\"Jüri\" ü\u00fcü \\ lõpp\n", "subject": "\\\"\/\b\f\r"}"#,
        "{\"text\": \"" + String(repeating: "Tere! Arve on lisatud.\\n", count: 120) + "\", \"html\": \"\\u003cp\\u003e\"}",
    ]

    /// Lines the flat reading leaves to the decoder (and what the decoder says stays as it was).
    static let decoderLines = [
        #"{"headers": {"X-Campaign": "spring"}, "to": ["a@example.net"]}"#,
        #"{"to": [{"address": "a@example.net", "email": "x"}]}"#,
        #"{"to": [{"name": "A"}]}"#,
        #"{"to": [{"address": "a@example.net", "name": null}]}"#,
        #"{"attachments": [{"path": "a.pdf", "content": null}]}"#,
        #"{"attachments": [{"path": "a.pdf", "name": "b.pdf"}]}"#,
        #"{"attachments": [{"path": "a.pdf"}], "inline": [{"path": "logo.png", "cid": "logo"}]}"#,
        #"{"attachments": "invoice.pdf"}"#,
        #"{"attachments": [5]}"#,
        #"{"priority": 1.0, "to": ["a@example.net"]}"#,
        #"{"priority": 1e2}"#,
        #"{"priority": 1234567890123456}"#,
        #"{"html": null}"#,
        #"{"to": "a@example.net"}"#,
        #"{"to": ["a@example.net", 5]}"#,
        #"{"subject": 5}"#,
        #"{"attachements": []}"#,
        #"["not an object"]"#,
    ]

    static func decoded(_ line: String) -> MessageFields? {
        try? JSONDecoder().decode(MessageFields.self, from: Data(line.utf8))
    }

    static func captured(_ line: String) throws -> [String: StrictJSON.FlatValue]? {
        let bytes = Array(line.utf8)
        return try bytes.withUnsafeBytes { try StrictJSON.checkCapturing($0, firstLine: 1) }
    }

    static func failure(_ line: String, capturing: Bool) -> StrictJSON.Failure? {
        Array(line.utf8).withUnsafeBytes { failure(in: $0, capturing: capturing) }
    }

    static func failure(in raw: UnsafeRawBufferPointer, capturing: Bool) -> StrictJSON.Failure? {
        do {
            if capturing { _ = try StrictJSON.checkCapturing(raw, firstLine: 1) } else { try StrictJSON.check(raw, firstLine: 1) }
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: flatLines)
    func flatLineReadsAsTheDecoderReadsIt(_ line: String) throws {
        let members = try #require(try Self.captured(line))
        let flat = try #require(MessageFields(flat: members))
        #expect(Self.decoded(line) == flat)
    }

    @Test(arguments: decoderLines)
    func otherLinesAreLeftToTheDecoder(_ line: String) throws {
        let members = try Self.captured(line)
        #expect(members.flatMap(MessageFields.init(flat:)) == nil)
    }

    @Test(arguments: [
        #"{"to": ["a@example.net",]}"#, #"{"to": ["a\x"]}"#, #"{"text": "a", "text": "b"}"#, #"{"to": ["ok", "\ud800"]}"#,
        #"{"priority": 01}"#, #"{"subject": "x"} trailing"#, #"{"to": [{"address": "a", "address": "b"}]}"#,
        #"{"to": [{"address": "a",}]}"#, #"{"to": [{"address": "\q"}]}"#, "{\"text\": \"line\nbreak\"}",
    ])
    func syntaxErrorsAreTheCheckOnes(_ line: String) throws {
        let expected = try #require(Self.failure(line, capturing: false))
        #expect(Self.failure(line, capturing: true) == expected)
    }
}
