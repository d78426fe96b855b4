// Bounce benchmark: parses and classifies every message of a directory of bounces (by
// default the real-bounce corpus in Tests/BounceCorpus) on one core, ROUNDS passes over
// the files held in memory, and prints the rate. Run by scripts/bench-bounces.
//
// Usage: BounceBenchmark [--dir DIRECTORY] [--rounds N]
import Dispatch
import Foundation
import OutboxCore

var directory = "Tests/BounceCorpus"
var rounds = 20
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let name = arguments.next() {
    guard let value = arguments.next() else {
        FileHandle.standardError.write(Data("BounceBenchmark: missing value for \(name)\n".utf8))
        exit(2)
    }
    switch name {
    case "--dir": directory = value
    case "--rounds": rounds = max(Int(value) ?? 0, 1)
    default:
        FileHandle.standardError.write(Data("usage: BounceBenchmark [--dir DIRECTORY] [--rounds N]\n".utf8))
        exit(2)
    }
}

let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".eml") }.sorted()
let messages = names.compactMap { FileManager.default.contents(atPath: directory + "/" + $0).map { [UInt8]($0) } }
guard !messages.isEmpty else {
    FileHandle.standardError.write(Data("BounceBenchmark: no .eml files in \(directory)\n".utf8))
    exit(1)
}

let parser = BounceParser()
var recipients = 0
var reasons: [BounceReason: Int] = [:]
let start = DispatchTime.now().uptimeNanoseconds
for round in 0..<rounds {
    for message in messages {
        let report = parser.parse(message)
        if round == 0 {
            recipients += report.perRecipient.count
            for recipient in report.perRecipient { reasons[recipient.reason, default: 0] += 1 }
        }
    }
}
let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
let parsed = messages.count * rounds
let bytes = messages.reduce(0) { $0 + $1.count }
print(String(format: "bounces=%d rounds=%d parsed=%d seconds=%.3f rate=%.0f bounces/s (%.1f MB/s, one core)",
    messages.count, rounds, parsed, seconds, Double(parsed) / seconds, Double(bytes * rounds) / seconds / 1e6))
print("recipients=\(recipients) reasons: " + reasons.sorted { $0.value > $1.value }.map { "\($0.key.rawValue)=\($0.value)" }.joined(separator: " "))
