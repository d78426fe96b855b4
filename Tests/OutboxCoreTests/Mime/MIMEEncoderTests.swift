import Foundation
import Testing
@testable import OutboxCore

/// The encoders on their own, against published vectors and Foundation as an oracle.
@Suite struct MIMEEncoderTests {
    static func string(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func base64Vectors() {
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (input, expected) in vectors {
            #expect(Self.string(Base64Encoder.encode(Array(input.utf8))) == expected)
        }
    }

    @Test func base64MatchesFoundationWithLineBreaks() {
        for count in Array(0...200) + [5_700, 10_001] {
            let bytes = MIMEComposerTests.randomBytes(count, seed: UInt64(count))
            let ours = Base64Encoder.encode(bytes, lineLength: 76)
            let foundation = Data(bytes).base64EncodedData(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
            #expect(ours == Array(foundation), "count \(count)")
            #expect(ours.count == Base64Encoder.encodedLength(count: count, lineLength: 76))
        }
    }

    @Test func quotedPrintableVectors() {
        let cases: [(String, String)] = [
            ("a=b", "a=3Db"),
            ("trailing space \nand tab\t", "trailing space=20\r\nand tab=09"),
            ("Jüri", "J=C3=BCri"),
            (".\n.x\nFrom here\nFrom\nFromage", "=2E\r\n=2Ex\r\n=46rom here\r\nFrom\r\nFromage"),
            ("cr\rlf\ncrlf\r\n", "cr\r\nlf\r\ncrlf\r\n"),
            (String(repeating: "x", count: 76), String(repeating: "x", count: 76)),
            (String(repeating: "x", count: 77), String(repeating: "x", count: 75) + "=\r\nxx"),
            (String(repeating: "x", count: 74) + "ü", String(repeating: "x", count: 74) + "=\r\n=C3=BC"),
            (String(repeating: "x", count: 72) + "ü", String(repeating: "x", count: 72) + "=C3=\r\n=BC"),
            (String(repeating: "x", count: 70) + "ü", String(repeating: "x", count: 70) + "=C3=BC"),
        ]
        for (input, expected) in cases {
            #expect(Self.string(QuotedPrintableEncoder.encode(Array(input.utf8))) == expected, "\(input.debugDescription)")
        }
    }

    /// Decodes quoted-printable (test oracle; soft breaks removed, CRLF kept).
    static func decodeQP(_ bytes: [UInt8]) -> [UInt8]? {
        var output = [UInt8]()
        var i = 0
        func hex(_ b: UInt8) -> UInt8? {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "=") {
                if i + 2 < bytes.count && bytes[i + 1] == 13 && bytes[i + 2] == 10 { i += 3; continue }
                guard i + 2 < bytes.count, let high = hex(bytes[i + 1]), let low = hex(bytes[i + 2]) else { return nil }
                output.append(high << 4 | low)
                i += 3
            } else {
                output.append(bytes[i])
                i += 1
            }
        }
        return output
    }

    @Test func quotedPrintableRoundTripsAndKeepsLinesShort() {
        let alphabet = Array("aZ9 .=\t\r\nõüÞ🎉From ".unicodeScalars)
        var state: UInt64 = 7
        // Long inputs cross the encoder's 4096-byte blocks, with a CRLF and a space on the seam.
        let seams = [String(repeating: "x", count: 4095) + "\r\n" + String(repeating: "ü", count: 3000),
                     String(repeating: "y", count: 4095) + " \n.z", String(repeating: "Õ", count: 6000)]
        for round in 0..<303 {
            var text = round >= 300 ? seams[round - 300] : ""
            for _ in 0..<(round * 7 % 600) {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                text.unicodeScalars.append(alphabet[Int(state >> 33) % alphabet.count])
            }
            let encoded = QuotedPrintableEncoder.encode(Array(text.utf8))
            let lines = Self.string(encoded).components(separatedBy: "\r\n")
            #expect(lines.allSatisfy { $0.utf8.count <= 76 && !$0.hasPrefix(".") && !$0.hasPrefix("From ") && !$0.hasSuffix(" ") && !$0.hasSuffix("\t") })
            #expect(encoded.allSatisfy { $0 == 9 || $0 == 13 || $0 == 10 || ($0 >= 32 && $0 < 127) })
            let normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
                .replacingOccurrences(of: "\n", with: "\r\n")
            #expect(Self.decodeQP(encoded) == Array(normalized.utf8), "round \(round)")
        }
    }

    /// Decodes one encoded-word on its own (test oracle), nil if it is not valid UTF-8.
    static func decodeWord(_ word: Substring) -> String? {
        let parts = word.dropFirst(2).dropLast(2).split(separator: "?", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "utf-8" else { return nil }
        let bytes: [UInt8]?
        if parts[1] == "B" {
            bytes = Data(base64Encoded: String(parts[2])).map { Array($0) }
        } else {
            bytes = decodeQP(Array(parts[2].utf8).map { $0 == UInt8(ascii: "_") ? 32 : $0 })
        }
        return bytes.flatMap { String(validating: $0, as: UTF8.self) }
    }

    @Test(arguments: [
        "Līga Bērziņa", "Þórunn Guðmundsdóttir", MIMEComposerTests.estonianSubject,
        String(repeating: "🎉👨‍👩‍👧", count: 30), String(repeating: "Ŗ", count: 200), "a" + String(repeating: "€", count: 100),
    ])
    func encodedWordsAreShortAndWhole(text: String) {
        var writer = HeaderWriter(capacity: 1024)
        writer.unstructuredField("Subject", text)
        let lines = Self.string(writer.bytes).components(separatedBy: "\r\n").dropLast()
        var decoded = ""
        for line in lines {
            #expect(line.utf8.count <= 76)
            for word in line.split(separator: " ") where word != "Subject:" {
                #expect(word.utf8.count <= 75)
                let text = Self.decodeWord(word)
                #expect(text != nil, "\(word) does not decode to whole UTF-8 characters")
                decoded += text ?? ""
            }
        }
        #expect(decoded == text)
    }

    @Test func datesMatchFoundation() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        var state: UInt64 = 11
        var seconds: [Double] = [0, -1, -86_400 * 365.25 * 30, 951_782_400, 1_709_164_800, 1_795_431_900.999, 4_102_444_799]
        for _ in 0..<2_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            seconds.append(Double(state >> 30 % 5_000_000_000) - 1_000_000_000)  // 1938...2096
        }
        for second in seconds {
            let date = Date(timeIntervalSince1970: second)
            let whole = Date(timeIntervalSince1970: second.rounded(.down))
            #expect(RFC5322Date.format(date) == formatter.string(from: whole), "\(second)")
        }
        #expect(RFC5322Date.format(MIMEComposerTests.date) == "Mon, 23 Nov 2026 11:05:00 +0000")
    }

    @Test func mediaTypesFromFileNames() {
        let cases = [
            "Arve_Õunapuu_2026.PDF": "application/pdf", "e-arve.xml": "application/xml", "data.csv": "text/csv",
            "a.txt": "text/plain", "page.HTML": "text/html", "x.htm": "text/html", "p.png": "image/png",
            "p.jpg": "image/jpeg", "p.jpeg": "image/jpeg", "g.gif": "image/gif", "a.zip": "application/zip",
            "j.json": "application/json", "invite.ics": "text/calendar",
            "d.docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "s.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "t.odt": "application/vnd.oasis.opendocument.text", "leping.asice": "application/vnd.etsi.asic-e+zip",
            "noext": "application/octet-stream", "archive.tar.gz": "application/octet-stream", "dot.": "application/octet-stream",
            ".pdf": "application/pdf", "weird.p_f": "application/octet-stream",
        ]
        for (name, type) in cases { #expect(MIMEType.forFilename(name) == type, "\(name)") }
        #expect(MIMEType.isValid("text/calendar; method=REQUEST"))
        #expect(!MIMEType.isValid("text/plain\r\nBcc: x@example.com"))
        #expect(!MIMEType.isValid("text"))
        #expect(!MIMEType.isValid("text/pla in"))
    }

    @Test func messageIDs() throws {
        #expect(try MessageID.make(token: "3f2a9c0d", domain: "Outbox.Example") == "3f2a9c0d@outbox.example")
        #expect(try MessageID.make(token: "a.b", domain: "x.ee") == "a.b@x.ee")
        #expect(try MessageID.make(token: ".a..b.<>@ õ", domain: "x.ee") == "=2Ea.=2Eb.=3C=3E=40=20=C3=B5@x.ee")
        #expect(throws: MailboxError.self) { try MessageID.make(token: "t", domain: "bad domain") }
        #expect(throws: MailboxError.self) { try MessageID.make(token: "", domain: "x.ee") }
        let id = try MessageID.make(token: "job 42/ü", domain: "outbox.example")
        var message = MIMEComposerTests.message()
        message.messageID = id
        _ = try MIMEComposerTests.verify(message, structure: "text/plain")
    }
}
