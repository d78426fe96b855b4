import Testing
@testable import OutboxCore

/// Hostile input: every case must return a report quickly without crashing.
@Suite struct BounceRobustnessTests {
    /// Parses and asserts a generous wall-clock bound: it catches super-linear blow-ups
    /// (minutes on these inputs), not speed, so it holds on a loaded debug build.
    @discardableResult
    func parseQuickly(_ bytes: [UInt8], limit: Duration = .seconds(10), parser: BounceParser = BounceParser()) -> BounceReport {
        let clock = ContinuousClock()
        var report: BounceReport?
        let elapsed = clock.measure { report = parser.parse(bytes) }
        #expect(elapsed < limit, "took \(elapsed) for \(bytes.count) bytes")
        return report ?? BounceReport(kind: .unrecognised, format: .none)
    }

    @Test func emptyAndTinyInputs() {
        for input in ["", "\n", "\r\n\r\n", ":", "--", "=?", "@", "<@>:", "From \n\n"] {
            let report = parseQuickly(Array(input.utf8))
            #expect(report.kind == .notABounce || report.kind == .unrecognised)
            #expect(report.perRecipient.isEmpty)
        }
    }

    @Test func randomGarbage() {
        var generator = SplitMix64(seed: 42)
        for size in [1, 7, 100, 1_000, 10_000, 200_000] {
            for _ in 0..<5 {
                parseQuickly((0..<size).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
            }
        }
    }

    @Test func inputBeyondTheCapIsCut() {
        let head = Array("From: MAILER-DAEMON@x.example\nSubject: failure notice\n\n<a@b.example>:\nno mailbox (#5.1.1)\n".utf8)
        let input = head + [UInt8](repeating: UInt8(ascii: "x"), count: 11 << 20)
        let report = parseQuickly(input, limit: .seconds(30))
        #expect(report.anomalies.contains(.inputTruncated))
        #expect(report.perRecipient.first?.finalRecipient == "a@b.example")
        #expect(report.kind == .deliveryFailure)
    }

    @Test func deepNestingIsCut() {
        var message = "From: mailer-daemon@x.example\nSubject: Undeliverable\n"
        for level in 0..<200 {
            message += "Content-Type: multipart/mixed; boundary=\"b\(level)\"\n\n--b\(level)\n"
        }
        message += "Content-Type: text/plain\n\n<deep@x.example>: 550 5.1.1 no\n"
        let report = parseQuickly(Array(message.utf8))
        #expect(report.anomalies.contains(.nestingTooDeep))
    }

    @Test func manyPartsAreCut() {
        var message = "From: mailer-daemon@x.example\nContent-Type: multipart/mixed; boundary=\"p\"\n\n"
        for _ in 0..<5_000 { message += "--p\nContent-Type: text/plain\n\nx\n" }
        let report = parseQuickly(Array(message.utf8))
        #expect(report.anomalies.contains(.tooManyParts))
    }

    @Test func manyHeadersAndHugeFoldedHeader() {
        var message = ""
        for index in 0..<20_000 { message += "X-H\(index): v\n" }
        message += "Subject: a\n" + String(repeating: " folded continuation line\n", count: 50_000) + "\nbody\n"
        let report = parseQuickly(Array(message.utf8))
        #expect(report.anomalies.contains(.tooManyHeaderFields))
    }

    @Test func pathologicalRepetitions() {
        let patterns = [
            "@", "=?", "=?utf-8?q?", "<a@b.c>:\n", "--", "\n--b\n", "Final-Recipient: rfc822; a@b.c\n",
            "a@", ".@.", "=\n", "=3", "\r", " \n", "<", "&lt;", "5.5.5.", "550 ", "Original-Recipient: x\n",
        ]
        for pattern in patterns {
            let body = String(repeating: pattern, count: 100_000 / pattern.utf8.count)
            let message = "From: MAILER-DAEMON@x.example\nSubject: Undelivered Mail\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\nContent-Type: message/delivery-status\n\n"
                + body + "\n--b\nContent-Type: text/plain\n\n" + body
            parseQuickly(Array(message.utf8), limit: .seconds(10))
        }
    }

    @Test func truncatedAtEveryLengthNeverCrashes() throws {
        for name in try BounceSample.names() {
            let bytes = try BounceSample.bytes(name)
            for length in stride(from: 0, through: bytes.count, by: max(1, bytes.count / 60)) {
                let report = BounceParser().parse(Array(bytes.prefix(length)))
                if report.kind == .autoReply { #expect(report.perRecipient.isEmpty) }
            }
        }
    }

    @Test func mutatedSamplesNeverCrash() throws {
        var generator = SplitMix64(seed: 7)
        let samples = try BounceSample.names().map { try BounceSample.bytes($0) }
        for _ in 0..<400 {
            var bytes = samples[Int(generator.next() % UInt64(samples.count))]
            for _ in 0..<(1 + generator.next() % 16) where !bytes.isEmpty {
                let at = Int(generator.next() % UInt64(bytes.count))
                switch generator.next() % 4 {
                case 0: bytes[at] = UInt8(truncatingIfNeeded: generator.next())
                case 1: bytes.remove(at: at)
                case 2: bytes.insert(contentsOf: bytes[at..<min(bytes.count, at + 40)], at: at)
                default: bytes.insert(contentsOf: Array("\n--".utf8), at: at)
                }
            }
            parseQuickly(bytes)
        }
    }
}

/// A small deterministic generator for reproducible random inputs.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
