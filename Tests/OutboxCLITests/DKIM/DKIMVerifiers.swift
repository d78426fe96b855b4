import Foundation
import OutboxTestSupport
import Testing

/// The two independent DKIM verifiers the tests trust: dkimpy (PyPI) and Mail::DKIM
/// (Debian's libmail-dkim-perl), each given the published TXT records through a stub
/// resolver (`Tests/Servers/dkim_verify.py`, `dkim_verify.pl`), never real DNS.
struct DKIMVerifiers {
    /// One signature's verdict.
    struct Verdict: CustomStringConvertible {
        let selector: String
        let algorithm: String
        let passed: Bool
        let detail: String
        var description: String { "\(selector) \(algorithm): \(passed ? "pass" : "FAIL") \(detail)" }
    }

    /// DNS name → TXT record text, as `outbox dkim keygen` printed them.
    var records: [String: String] = [:]

    /// Adds the record from keygen's output line `NAME IN TXT "…" "…"` (the strings joined,
    /// as a resolver joins a TXT record's character-strings).
    mutating func publish(keygenOutput: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let line = try #require(keygenOutput.split(separator: "\n").first { $0.contains(" IN TXT ") }, sourceLocation: sourceLocation)
        let name = String(line.split(separator: " ")[0])
        let quoted = line[line.range(of: " IN TXT ")!.upperBound...]
        let strings = quoted.split(separator: "\"", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        #expect(strings.allSatisfy { $0.utf8.count <= 255 }, sourceLocation: sourceLocation)
        records[name.lowercased()] = strings.joined()
    }

    /// dkimpy's verdict on every signature of `message`, top to bottom.
    func dkimpy(_ message: [UInt8]) throws -> [Verdict] {
        try run(["python3", Self.script("dkim_verify.py")], message).map {
            Verdict(selector: $0["selector"] as? String ?? "", algorithm: $0["algorithm"] as? String ?? "",
                    passed: $0["pass"] as? Bool == true, detail: $0["detail"] as? String ?? "")
        }
    }

    /// Mail::DKIM's verdict on every signature of `message`.
    func mailDKIM(_ message: [UInt8]) throws -> [Verdict] {
        try run(["perl", Self.script("dkim_verify.pl")], message).map {
            Verdict(selector: $0["selector"] as? String ?? "", algorithm: $0["algorithm"] as? String ?? "",
                    passed: $0["result"] as? String == "pass", detail: $0["detail"] as? String ?? "")
        }
    }

    private func run(_ command: [String], _ message: [UInt8]) throws -> [[String: Any]] {
        let directory = NSTemporaryDirectory() + "outbox-dkim-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data(message).write(to: URL(fileURLWithPath: directory + "/message.eml"))
        try JSONSerialization.data(withJSONObject: records).write(to: URL(fileURLWithPath: directory + "/records.json"))
        let data = try ToolProcess.output(command + [directory + "/message.eml", directory + "/records.json"])
        guard let list = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw TestServerError(message: "\(command.joined(separator: " ")) printed no JSON list")
        }
        return list
    }

    private static func script(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Servers/\(name)").path
    }
}

extension Array where Element == UInt8 {
    /// The message with the first occurrence of `old` replaced by `new` (a tampered copy).
    func replacing(_ old: String, with new: String) -> [UInt8] {
        let text = String(decoding: self, as: UTF8.self)
        guard let range = text.range(of: old) else { return self }
        return Array(text.replacingCharacters(in: range, with: new).utf8)
    }
}
