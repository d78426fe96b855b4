import OutboxCore
import Testing

/// Assembling reply lines into replies (pure; the lines are what libcurl's debug callback
/// hands over as CURLINFO_HEADER_IN).
@Suite struct SMTPReplyReaderTests {
    private func read(_ lines: [String]) -> [SMTPReply] {
        var reader = SMTPReplyReader()
        return lines.compactMap { reader.consume(line: Array("\($0)\r\n".utf8)) }
    }

    @Test func multiLineRepliesCompleteOnTheLastLine() {
        let replies = read(["250-mx.example.ee", "250-PIPELINING", "250-AUTH PLAIN LOGIN", "250 SMTPUTF8", "250 2.1.0 Ok"])
        #expect(replies.count == 2)
        #expect(replies[0].code == 250)
        #expect(replies[0].lines == ["mx.example.ee", "PIPELINING", "AUTH PLAIN LOGIN", "SMTPUTF8"])
        #expect(replies[0].enhancedCode == nil)
        #expect(replies[1].enhancedCode == EnhancedStatusCode(statusClass: 2, subject: 1, detail: 0))
        #expect(replies[1].text == "Ok")
    }

    @Test func enhancedCodesAreSplitOffEveryLine() {
        let replies = read(["550-5.1.1 The email account that you tried to reach does not exist.", "550 5.1.1 Please check the address."])
        #expect(replies == [SMTPReply(code: 550, enhancedCode: EnhancedStatusCode("5.1.1"), lines: [
            "The email account that you tried to reach does not exist.", "Please check the address.",
        ])])
    }

    @Test func enhancedCodeMustMatchTheReplyClass() {
        #expect(read(["250 5.1.1 odd"]).first?.enhancedCode == nil)
        #expect(read(["451 4.7.500 Server busy"]).first?.enhancedCode?.detail == 500)
        #expect(read(["421 4.7.0000 too long"]).first?.enhancedCode == nil)
    }

    @Test func bareCodesAndNoiseAreHandled() {
        #expect(read(["334 "]) == [SMTPReply(code: 334, lines: [""])])
        #expect(read(["354"]) == [SMTPReply(code: 354, lines: [""])])
        #expect(read(["hello", "", "12", "999 nope"]).isEmpty)
    }

    @Test func longLinesAreCapped() {
        let long = "250 " + String(repeating: "x", count: 10_000)
        #expect(read([long]).first?.text.utf8.count ?? 0 <= SMTPReplyReader.maximumLineLength)
    }
}
