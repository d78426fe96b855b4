import CSystemd
import Foundation
import Logging
import Testing
@testable import OutboxDaemon

@Suite struct LogFormattingTests {
    @Test func stderrLineHasTimeLevelMessageAndSortedMetadata() {
        let date = Date(timeIntervalSince1970: 1_777_887_000.125)
        let line = StderrLogHandler.format(date: date, level: .warning, message: "deferred", metadata: [
            "smtp-code": "421", "message-id": "m-1", "reason": "try again later", "relay-password": "hunter2",
        ])
        #expect(line == #"2026-05-04T09:30:00.125Z warning deferred message-id=m-1 reason="try again later" relay-password=<redacted> smtp-code=421"#)
    }

    @Test func stderrLineStaysOneLine() {
        let line = StderrLogHandler.format(date: Date(timeIntervalSince1970: 0), level: .error, message: "a\nb", metadata: ["x": "1\n2"])
        #expect(line == #"1970-01-01T00:00:00.000Z error a\nb x="1\n2""#)
    }

    @Test func journalFieldsAreUpperCasedStructuredFields() {
        let fields = JournalFields.fields(level: .notice, message: "sent", metadata: [
            "message-id": "m-1", "batch": "invoices-2026-05", "owner": "juri", "event": "sent", "smtp-code": .stringConvertible(250),
            "weird key.ü": "v", "token": "abc",
        ], source: "OutboxDaemon", file: "Delivery/Worker.swift", function: "send()", line: 42)
        #expect(fields == [
            "PRIORITY=5", "MESSAGE=sent", "SYSLOG_IDENTIFIER=outbox",
            "CODE_FILE=Delivery/Worker.swift", "CODE_LINE=42", "CODE_FUNC=send()", "OUTBOX_SOURCE=OutboxDaemon",
            "OUTBOX_BATCH=invoices-2026-05", "OUTBOX_EVENT=sent", "OUTBOX_MESSAGE_ID=m-1", "OUTBOX_OWNER=juri",
            "SMTP_CODE=250", "OUTBOX_TOKEN=<redacted>", "OUTBOX_WEIRD_KEY__=v",
        ])
    }

    @Test(arguments: [
        (Logger.Level.trace, 7), (.debug, 7), (.info, 6), (.notice, 5), (.warning, 4), (.error, 3), (.critical, 2),
    ])
    func priorities(level: Logger.Level, priority: Int) {
        #expect(JournalFields.priority(level) == priority)
    }

    @Test func fieldNamesAreSanitisedAndBounded() {
        #expect(JournalFields.fieldName("smtp-code") == "SMTP_CODE")
        #expect(JournalFields.fieldName("_private") == "OUTBOX__PRIVATE")
        #expect(JournalFields.fieldName("9lives") == "OUTBOX_9LIVES")
        #expect(JournalFields.fieldName(String(repeating: "a", count: 100)).count == 64)
    }

    @Test func iovecsPointAtEachFieldExactly() {
        let fields = ["PRIORITY=6", "MESSAGE=Arve nr 12 — Jüri\nteine rida", "", "OUTBOX_OWNER=þórunn"]
        let entry = JournalEntry(fields: fields)
        let readBack = entry.withIOVecs { vectors in
            vectors.map { vector in
                String(decoding: UnsafeRawBufferPointer(start: vector.iov_base, count: vector.iov_len), as: UTF8.self)
            }
        }
        #expect(readBack == fields)
    }

    @Test func backendFollowsTheEnvironment() {
        #expect(LoggingSetup.backend(environment: [:], stderrIsJournal: false) == .stderr)
        #expect(LoggingSetup.backend(environment: [:], stderrIsJournal: true) == .journald)
        #expect(LoggingSetup.backend(environment: ["INVOCATION_ID": "0123abcd"], stderrIsJournal: false) == .journald)
    }
}
