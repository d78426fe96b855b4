import Foundation
import Testing
@testable import OutboxDaemon

/// The byte-level escaping of stderr lines gives exactly what Foundation's
/// `replacingOccurrences` and a search by `Character` give (the formatting before it).
@Suite struct LogTextTests {
    static let samples = [
        "", "plain", "two words", "a=b", "say \"hi\"", "back\\slash", "line\nbreak", "cr\rlf", "crlf\r\nend", "tab\there",
        "vt\u{0B}ff\u{0C}", "nel\u{85}", "ls\u{2028}ps\u{2029}", "Jüri Õun", "arve — 12 €", "quote\"\u{301}", "space \u{301}x",
        "eq=\u{301}", "\n\u{301}x", "\u{600} x", "emoji 👍🏽 ok", "zwj \u{200D}", "\\\u{301}\"", "ü\"ü", "\r\n", " ",
    ]

    @Test(arguments: samples)
    func quotingMatchesTheCharacterReading(_ value: String) {
        var bytes: [UInt8] = []
        LogText.appendQuoted(value, to: &bytes)
        #expect(bytes == Array(LogText.quotedByCharacters(value).utf8))
    }

    @Test(arguments: samples)
    func lineFeedsEscapedAsFoundationDoes(_ message: String) {
        var bytes: [UInt8] = []
        LogText.appendEscapingLineFeeds(message, to: &bytes)
        #expect(bytes == Array(message.replacingOccurrences(of: "\n", with: "\\n").utf8))
    }

    @Test(arguments: [-62_135_596_800.0, -1.5, -0.001, 0, 0.999, 951_782_400.5, 1_777_887_000.125, 4_102_444_799.999, 253_402_300_799.0])
    func timestampMatchesPrintf(_ seconds: Double) {
        let date = Date(timeIntervalSince1970: seconds)
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var whole = time_t(milliseconds.quotientAndRemainder(dividingBy: 1000).quotient)
        var parts = tm()
        gmtime_r(&whole, &parts)
        let expected = String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                              Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec),
                              Int((milliseconds % 1000 + 1000) % 1000))
        #expect(StderrLogHandler.timestamp(date) == expected)
    }
}
