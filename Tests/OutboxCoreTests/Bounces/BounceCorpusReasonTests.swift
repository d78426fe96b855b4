import Foundation
import Synchronization
import Testing
@testable import OutboxCore

/// Every message of the real-bounce corpus in `Tests/BounceCorpus` (Sisimai's
/// set-of-emails, BSD-2-Clause, LICENSE beside it) is parsed and each recipient the parser
/// finds is compared with the reason and hard/soft Sisimai 4.25.15 gives it
/// (`expected.json`). Single messages may disagree (Sisimai is a reference, not the truth);
/// the aggregate must reach 90 % reason and 95 % hard/soft agreement.
@Suite struct BounceCorpusReasonTests {
    /// One recipient as Sisimai reads it.
    struct Expected: Decodable, Sendable {
        var recipient: String
        var reason: String
        /// 1 soft, 0 hard, -1 neither.
        var soft: Int
        var status: String
    }

    /// What one file contributed to the tally.
    struct Outcome: Sendable {
        var compared = 0
        var reasonsAgreeing = 0
        var severitiesAgreeing = 0
        /// The same, for recipients the parser gave a diagnostic text or a specific status:
        /// the input the classifier needs (recipient detection and diagnostics are the
        /// parser's part, measured by its own tests).
        var informed = 0
        var informedReasonsAgreeing = 0
        var informedSeveritiesAgreeing = 0
        var disagreements: [String] = []
    }

    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("BounceCorpus")

    static let expected: [String: [Expected]] = {
        guard let data = try? Data(contentsOf: directory.appendingPathComponent("expected.json")),
            let decoded = try? JSONDecoder().decode([String: [Expected]].self, from: data)
        else { return [:] }
        return decoded
    }()

    static let files: [String] = expected.keys.sorted()

    /// Filled by the per-file tests, checked by ``aggregateAgreement()``.
    static let outcomes = Mutex<[String: Outcome]>([:])

    @Test func corpusIsPresent() {
        #expect(Self.files.count >= 300, "expected.json missing or unreadable in \(Self.directory.path)")
        #expect(FileManager.default.fileExists(atPath: Self.directory.appendingPathComponent("LICENSE").path))
    }

    /// Parses one file (a crash fails the run), checks that every failed recipient gets a
    /// bounce reason (never a non-bounce), and records its agreement with Sisimai.
    @Test(arguments: files)
    func reasonsAgreeWithSisimai(file: String) throws {
        let bytes = try [UInt8](Data(contentsOf: Self.directory.appendingPathComponent(file)))
        let report = BounceParser().parse(bytes)
        for recipient in report.perRecipient where recipient.action == .failed && report.kind != .complaint {
            #expect(![.delivered, .feedback].contains(recipient.reason), "\(file) \(recipient.finalRecipient)")
            #expect(recipient.severity != nil, "\(file) \(recipient.finalRecipient)")
        }
        let outcome = try Self.compare(file)
        Self.outcomes.withLock { $0[file] = outcome }
    }

    /// Runs after the per-file tests in the same process when they have run; computes the
    /// missing files itself otherwise (e.g. when filtered to this test alone).
    @Test func aggregateAgreement() throws {
        var outcomes = Self.outcomes.withLock { $0 }
        for file in Self.files where outcomes[file] == nil { outcomes[file] = try Self.compare(file) }
        let compared = outcomes.values.reduce(0) { $0 + $1.compared }
        let reasons = outcomes.values.reduce(0) { $0 + $1.reasonsAgreeing }
        let severities = outcomes.values.reduce(0) { $0 + $1.severitiesAgreeing }
        try #require(compared > 0)
        let reasonShare = Double(reasons) / Double(compared)
        let severityShare = Double(severities) / Double(compared)
        let informed = outcomes.values.reduce(0) { $0 + $1.informed }
        let informedReasons = outcomes.values.reduce(0) { $0 + $1.informedReasonsAgreeing }
        let informedSeverities = outcomes.values.reduce(0) { $0 + $1.informedSeveritiesAgreeing }
        try #require(informed > 0)
        let informedReasonShare = Double(informedReasons) / Double(informed)
        let informedSeverityShare = Double(informedSeverities) / Double(informed)
        let lines = outcomes.keys.sorted().flatMap { outcomes[$0]!.disagreements }
        print("bounce corpus: \(compared) recipients compared; reason agreement \(percent(reasonShare)); "
            + "hard/soft agreement \(percent(severityShare))")
        print("bounce corpus: \(informed) recipients with a diagnostic or specific status; reason agreement "
            + "\(percent(informedReasonShare)); hard/soft agreement \(percent(informedSeverityShare))")
        print("bounce corpus: \(lines.count) disagreements:")
        for line in lines { print("  " + line) }
        #expect(informedReasonShare >= 0.90)
        #expect(informedSeverityShare >= 0.95)
    }

    static func compare(_ file: String) throws -> Outcome {
        let bytes = try [UInt8](Data(contentsOf: directory.appendingPathComponent(file)))
        let report = BounceParser().parse(bytes)
        var outcome = Outcome()
        for expected in Self.expected[file] ?? [] {
            let address = expected.recipient.lowercased()
            guard let found = report.perRecipient.first(where: { $0.finalRecipient.lowercased() == address }) else {
                continue  // recipient detection is measured elsewhere
            }
            outcome.compared += 1
            if found.reason.rawValue == expected.reason {
                outcome.reasonsAgreeing += 1
            }
            let severity: Int
            switch found.severity {
            case .soft: severity = 1
            case .hard: severity = 0
            case nil: severity = -1
            }
            if severity == expected.soft { outcome.severitiesAgreeing += 1 }
            let hasDiagnostic = !(found.diagnosticCode ?? "").trimmingCharacters(in: .whitespaces).isEmpty
            if hasDiagnostic || (found.status.map { $0.subject != 0 } ?? false) {
                outcome.informed += 1
                if found.reason.rawValue == expected.reason { outcome.informedReasonsAgreeing += 1 }
                if severity == expected.soft { outcome.informedSeveritiesAgreeing += 1 }
            }
            if found.reason.rawValue != expected.reason || severity != expected.soft {
                let status = found.status.map { "\($0)" } ?? "-"
                let diagnostic = (found.diagnosticCode ?? "").prefix(160)
                outcome.disagreements.append(
                    "\(file) \(expected.recipient): outbox \(found.reason.rawValue) (\(status) \(found.smtpReplyCode.map(String.init) ?? "-")) "
                        + "sisimai \(expected.reason) (\(expected.status)) [\(report.format.rawValue)] \(diagnostic)")
            }
        }
        return outcome
    }
}

private func percent(_ share: Double) -> String {
    String(format: "%.1f %%", share * 100)
}
