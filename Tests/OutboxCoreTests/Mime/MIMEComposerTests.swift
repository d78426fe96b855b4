import Foundation
import Testing
@testable import OutboxCore

/// Composed messages checked by an independent parser (Python's `email`, policy.default):
/// no defects, decoded headers, bodies and attachment hashes equal the input.
@Suite struct MIMEComposerTests {
    static let date = Date(timeIntervalSince1970: 1_795_431_900)  // Mon, 23 Nov 2026 11:05:00 +0000
    static let estonianSubject = String(
        String(repeating: "Arve nr 2026-0042: tänane makse jõudis õigel ajal, öökülm ei üllatanud žüriid ega šokolaadivabrikut. ", count: 4)
            .prefix(300))

    static func mailbox(_ address: String, _ name: String? = nil) -> Mailbox {
        try! Mailbox(address: address, displayName: name)
    }

    static func message(
        subject: String = "Arve 2026-0042", text: String? = "Tere!\nArve on lisatud.\n", html: String? = nil,
        attachments: [MIMEAttachment] = [], headers: [HeaderField] = []
    ) -> MIMEMessage {
        MIMEMessage(
            from: mailbox("juri@example.ee", "Jüri Õunapuu"),
            replyTo: [mailbox("arved@example.ee", "Doe, Jane (Sales)")],
            to: [mailbox("liga@example.lv", "Līga Bērziņa"), mailbox("plain@example.com")],
            cc: [mailbox("thorunn@example.is", "Þórunn Guðmundsdóttir")],
            subject: subject, textBody: text, htmlBody: html, headers: headers, attachments: attachments,
            messageID: "3f2a9c0d1e@outbox.example", date: date)
    }

    static func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }

    /// Asserts the local invariants, then runs the Python check.
    static func verify(_ message: MIMEMessage, structure: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [UInt8] {
        let data = MIMEComposer.compose(message)
        #expect(data.suffix(2) == [13, 10], sourceLocation: sourceLocation)
        var lineLength = 0
        for (index, byte) in data.enumerated() {
            if byte == 10 {
                #expect(index > 0 && data[index - 1] == 13, "bare LF at \(index)", sourceLocation: sourceLocation)
                lineLength = 0
            } else {
                if byte == 13 { #expect(index + 1 < data.count && data[index + 1] == 10, "bare CR at \(index)", sourceLocation: sourceLocation) }
                lineLength += 1
                #expect(lineLength <= 999, "line longer than 998 octets at \(index)", sourceLocation: sourceLocation)
            }
        }
        let problems = try PythonEmailCheck.problems(in: data, for: message, structure: structure)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))\n--- message ---\n\(String(decoding: data.prefix(6000), as: UTF8.self))", sourceLocation: sourceLocation)
        return data
    }

    static func text(_ data: [UInt8]) -> String { String(decoding: data, as: UTF8.self) }

    @Test func textOnly() throws {
        let data = try Self.verify(Self.message(), structure: "text/plain")
        let text = Self.text(data)
        #expect(text.hasPrefix("Date: Mon, 23 Nov 2026 11:05:00 +0000\r\nMessage-ID: <3f2a9c0d1e@outbox.example>\r\n"))
        #expect(text.contains("\r\nMIME-Version: 1.0\r\n"))
        #expect(text.contains("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nTere!\r\n"))
        #expect(text.contains("From: =?utf-8?B?SsO8cmkgw5V1bmFwdXU=?= <juri@example.ee>\r\n"))  // B: shorter than Q here
        #expect(text.contains("Reply-To: \"Doe, Jane (Sales)\" <arved@example.ee>\r\n"))
        #expect(!text.lowercased().contains("bcc"))
    }

    @Test func pureShortASCIITextIsSevenBit() throws {
        let data = try Self.verify(Self.message(text: "Hello,\r\nthe invoice is attached.\n\nRegards"), structure: "text/plain")
        #expect(Self.text(data).contains("Content-Transfer-Encoding: 7bit\r\n\r\nHello,\r\nthe invoice is attached.\r\n\r\nRegards\r\n"))
    }

    @Test func textAndHTML() throws {
        let html = "<html><body><p>Tere, <b>Jüri</b>!</p><p>Arve on lisatud.</p></body></html>"
        _ = try Self.verify(Self.message(html: html), structure: "multipart/alternative(text/plain,text/html)")
    }

    @Test func htmlOnly() throws {
        _ = try Self.verify(Self.message(text: nil, html: "<p>Ainult HTML: õ ä ö ü</p>"), structure: "text/html")
    }

    @Test func textHTMLAndTwoAttachments() throws {
        let pdf = MIMEAttachment(filename: "Arve_Õunapuu_2026.pdf", data: Self.randomBytes(50_001, seed: 1))
        let blob = MIMEAttachment(filename: "andmed.bin", data: Self.randomBytes(4_096, seed: 2))
        let message = Self.message(html: "<p>Arve on lisatud.</p>", attachments: [pdf, blob])
        let data = try Self.verify(
            message,
            structure: "multipart/mixed(multipart/alternative(text/plain,text/html),application/pdf,application/octet-stream)")
        let text = Self.text(data)
        #expect(text.contains("filename*=utf-8''Arve_%C3%95unapuu_2026.pdf"))
        #expect(text.contains("Content-Disposition: attachment; filename=\"andmed.bin\"\r\n"))
    }

    @Test func attachmentsWithoutBodyAndOddNames() throws {
        let attachments = [
            MIMEAttachment(filename: "e-arve.xml", data: Array("<Invoice>ä</Invoice>".utf8)),
            MIMEAttachment(filename: "report \"final\".csv", data: Array("a;b\r\n1;2\r\n".utf8)),
            MIMEAttachment(
                filename: "Pikk_failinimi_" + String(repeating: "Õunapuu_Bērziņa_Guðmundsdóttir_", count: 4) + ".pdf",
                data: Self.randomBytes(3, seed: 3)),
            MIMEAttachment(filename: "kalender.ics", contentType: "text/calendar; method=REQUEST", data: []),
            MIMEAttachment(filename: "noext", contentType: "bad\r\ntype", data: Self.randomBytes(1, seed: 4)),
        ]
        _ = try Self.verify(
            Self.message(text: nil, attachments: attachments),
            structure: "multipart/mixed(application/xml,text/csv,application/pdf,text/calendar,application/octet-stream)")
    }

    @Test func internationalNamesAndLongEstonianSubject() throws {
        #expect(Self.estonianSubject.count == 300)
        let data = try Self.verify(Self.message(subject: Self.estonianSubject), structure: "text/plain")
        let text = Self.text(data)
        #expect(text.contains("To: =?utf-8?B?TMSrZ2EgQsSTcnppxYZh?= <liga@example.lv>, plain@example.com\r\n"))
        #expect(text.contains("Subject: =?utf-8?B?QXJ2ZSBuciAyMDI2LTAwNDI6IHTDpG5hbmUgbWFrc2UgasO1dWRp?=\r\n =?utf-8?B?"))
    }

    @Test(arguments: [
        "Plain ASCII subject",
        "  leading and trailing spaces  ",
        "Looks like =?utf-8?Q?an_encoded_word?= but is not",
        "Tab\tinside and    runs of spaces",
        String(repeating: "x", count: 950),
        String(repeating: "Sõna ", count: 80),
        "日本語の件名とEmoji 🎉👨‍👩‍👧 mixed with ASCII words that go on and on and on",
        "",
    ])
    func subjects(subject: String) throws {
        _ = try Self.verify(Self.message(subject: subject), structure: "text/plain")
    }

    @Test(arguments: [
        "Jüri Õunapuu", "Līga Bērziņa", "Þórunn Guðmundsdóttir", "Doe, Jane", "O'Brien Jr.", "He said \"hi\" \\ back",
        "Many    spaces", "=?utf-8?Q?fake?=", "Ülipikk Nimi " + String(repeating: "Bērziņa-Õunapuu ", count: 12) + "🎉",
        "a", "Name (with comment)", "ASCII only with enough words to need folding across more than one line ok",
    ])
    func displayNames(name: String) throws {
        var message = Self.message()
        message.from = Self.mailbox("sender@example.com", name)
        message.to = [Self.mailbox("one@example.com", name), Self.mailbox("two@example.com", name), Self.mailbox("three@example.com")]
        _ = try Self.verify(message, structure: "text/plain")
    }

    @Test func longLineBodies() throws {
        let ascii = String(repeating: "0123456789", count: 200)
        let estonian = String(repeating: "Õunapuu ", count: 250)
        let text = ascii + "\n" + estonian + "\nend"
        let data = try Self.verify(Self.message(text: text, html: "<p>" + estonian + "</p>"), structure: "multipart/alternative(text/plain,text/html)")
        #expect(Self.text(data).contains("Content-Transfer-Encoding: quoted-printable"))
        _ = try Self.verify(Self.message(text: ascii), structure: "text/plain")
    }

    @Test func dotAndFromLines() throws {
        let text = "From the desk of Jüri\nFrom here on\n.\n..two dots\n.leading dot\nFrom \nend with space \nlast"
        let data = try Self.verify(Self.message(text: text), structure: "text/plain")
        let lines = Self.text(data).components(separatedBy: "\r\n")
        #expect(!lines.contains { $0.hasPrefix("From ") || $0.hasPrefix(".") })
        _ = try Self.verify(Self.message(text: "From ascii only\n.\n"), structure: "text/plain")
    }

    @Test func lineBreakStylesAndBoundaryLookalikes() throws {
        let text = "cr\rlf\ncrlf\r\n--=_mix_0000\n=_ looks like a boundary\n-- \nsignature\n\n"
        _ = try Self.verify(
            Self.message(text: text, html: "<p>x</p>\r\n", attachments: [MIMEAttachment(filename: "a.txt", data: Array(text.utf8))]),
            structure: "multipart/mixed(multipart/alternative(text/plain,text/html),text/plain)")
        _ = try Self.verify(Self.message(text: ""), structure: "text/plain")
        // No body at all is sent as an empty text/plain part.
        #expect(MIMEComposer.compose(Self.message(text: nil)) == MIMEComposer.compose(Self.message(text: "")))
    }

    @Test func customHeaders() throws {
        let headers = [
            try HeaderField(name: "X-Invoice-Number", value: "2026-0042"),
            try HeaderField(name: "X-Customer", value: "Õunapuu OÜ, Tartu mnt 1, Tallinn"),
            try HeaderField(name: "List-Unsubscribe", value: "<mailto:unsubscribe@example.ee?subject=unsubscribe>, <https://example.ee/unsubscribe/" + String(repeating: "a1b2", count: 20) + ">"),
            try HeaderField(name: "X-Long", value: String(repeating: "word ", count: 60) + "end"),
        ]
        let data = try Self.verify(Self.message(headers: headers), structure: "text/plain")
        let text = Self.text(data)
        #expect(text.contains("X-Invoice-Number: 2026-0042\r\n"))
        let subjectAt = try #require(text.range(of: "Subject:"))
        let customAt = try #require(text.range(of: "X-Invoice-Number:"))
        #expect(subjectAt.lowerBound < customAt.lowerBound)
    }

    @Test func longHeaderNamesAndHTMLWithAttachment() throws {
        let name = "X-" + String(repeating: "Long-Name-", count: 7) + "Ends"
        #expect(name.utf8.count == 76)
        let headers = [
            try HeaderField(name: name, value: "Õunapuu " + String(repeating: "Bērziņa ", count: 10)),
            try HeaderField(name: String(name.dropLast()) + "2", value: String(repeating: "ascii ", count: 30)),
        ]
        let html = "<p>" + String(repeating: "Þórunn Guðmundsdóttir ", count: 40) + "</p>"
        _ = try Self.verify(
            Self.message(text: nil, html: html, attachments: [MIMEAttachment(filename: "pilt.PNG", data: Self.randomBytes(77, seed: 9))], headers: headers),
            structure: "multipart/mixed(text/html,image/png)")
    }

    /// Random mixes of scripts, spaces and punctuation in every text field.
    @Test func randomInternationalMessages() throws {
        let pieces = ["Õunapuu", "Bērziņa", "Þórunn", "ß", "日本", "🎉", "a", "Doe,", "\"q\"", " ", "  ", "=?", "?=", "_", "=", ".", "From ", "\n", "-- \n", "\t", "(x)"]
        var state: UInt64 = 42
        func random(_ count: Int) -> String {
            var text = ""
            for _ in 0..<count {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                text += pieces[Int(state >> 33) % pieces.count]
            }
            return text
        }
        for round in 0..<8 {
            let name = random(1 + round * 3).replacingOccurrences(of: "\n", with: "").replacingOccurrences(of: "\t", with: "")
            var message = Self.message(
                subject: random(round * 9), text: random(round * 40), html: round % 2 == 0 ? nil : random(round * 30),
                attachments: round % 3 == 0 ? [] : [MIMEAttachment(filename: random(1 + round) + ".pdf", data: Self.randomBytes(round * 100, seed: state))],
                headers: [try HeaderField(name: "X-Random", value: random(round * 5).replacingOccurrences(of: "\n", with: " "))])
            message.from = Self.mailbox("from@example.com", name)
            message.to = [Self.mailbox("to@example.com", random(round + 2).replacingOccurrences(of: "\n", with: "").replacingOccurrences(of: "\t", with: " "))]
            _ = try Self.verify(message, structure: Self.structure(of: message))
        }
    }

    static func structure(of message: MIMEMessage) -> String {
        let body = switch (message.textBody, message.htmlBody) {
        case (_?, _?): "multipart/alternative(text/plain,text/html)"
        case (nil, _?): "text/html"
        default: "text/plain"
        }
        guard !message.attachments.isEmpty else { return body }
        return "multipart/mixed(" + ([body] + message.attachments.map { $0.effectiveContentType }).joined(separator: ",") + ")"
    }

    @Test func undisclosedRecipientsWhenOnlyBcc() throws {
        var message = Self.message()
        message.to = []
        message.cc = []
        let data = try Self.verify(message, structure: "text/plain")
        #expect(Self.text(data).contains("To: undisclosed-recipients:;\r\n"))
    }

    @Test func deterministicAndBoundariesDifferPerMessage() throws {
        let attachment = MIMEAttachment(filename: "a.pdf", data: [1, 2, 3])
        let message = Self.message(html: "<p>x</p>", attachments: [attachment])
        #expect(MIMEComposer.compose(message) == MIMEComposer.compose(message))
        var other = message
        other.messageID = "other@outbox.example"
        #expect(MIMEComposer.boundarySeed(message.messageID) != MIMEComposer.boundarySeed(other.messageID))
    }

    /// The oracle is not vacuous: it reports damaged bytes and wrong expectations.
    @Test func checkerCatchesDamage() throws {
        let message = Self.message(html: "<p>x</p>", attachments: [MIMEAttachment(filename: "a.pdf", data: Self.randomBytes(300, seed: 5))])
        let good = MIMEComposer.compose(message)
        #expect(try PythonEmailCheck.problems(in: good, for: message, structure: nil).isEmpty)

        var wrongSubject = message
        wrongSubject.subject = "Something else"
        #expect(try PythonEmailCheck.problems(in: good, for: wrongSubject, structure: nil).contains { $0.hasPrefix("subject:") })

        var damaged = good
        let base64Start = try #require(Self.text(good).range(of: "base64\r\n\r\n")).upperBound.utf16Offset(in: Self.text(good))
        damaged[base64Start + 10] = damaged[base64Start + 10] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        damaged.insert(10, at: base64Start + 20)
        let problems = try PythonEmailCheck.problems(in: damaged, for: message, structure: nil)
        #expect(problems.contains { $0.contains("sha256") })
        #expect(problems.contains { $0.contains("bare CR or LF") })
    }

    @Test func hostileMessageIDCannotInjectHeaders() throws {
        var message = Self.message()
        message.messageID = "abc\r\nBcc: evil@example.com>"
        let text = Self.text(MIMEComposer.compose(message))
        #expect(!text.contains("\r\nBcc:"))
        #expect(text.contains("Message-ID: <abc__Bcc:_evil@example.com_>\r\n"))
    }
}
