// Transport benchmark: sends N messages of about S bytes over K parallel SMTP sessions
// (one reused connection each) to a local sink such as Postfix's smtp-sink, and prints
// the rate. Run by scripts/bench-transport.
//
// Usage: TransportBenchmark --port P [--host 127.0.0.1] [--sessions K] [--messages N] [--size S]
import Dispatch
import Foundation
import OutboxCore
import OutboxTransport
import Synchronization

struct Options {
    var host = "127.0.0.1"
    var port = 0
    var sessions = 1
    var messages = 10_000
    var size = 5_000

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let name = iterator.next() {
            guard let value = iterator.next() else { Self.usage("missing value for \(name)") }
            switch name {
            case "--host": host = value
            case "--port": port = Int(value) ?? 0
            case "--sessions": sessions = Int(value) ?? 0
            case "--messages": messages = Int(value) ?? 0
            case "--size": size = Int(value) ?? 0
            default: Self.usage("unknown option \(name)")
            }
        }
        guard port > 0, sessions > 0, messages >= sessions, size > 200 else { Self.usage("bad options") }
    }

    static func usage(_ problem: String) -> Never {
        FileHandle.standardError.write(Data("TransportBenchmark: \(problem)\nusage: TransportBenchmark --port P [--host H] [--sessions K] [--messages N] [--size S]\n".utf8))
        exit(2)
    }
}

/// A CRLF message of about `size` bytes (headers and a body of 76-character lines).
func makeMessage(size: Int) -> [UInt8] {
    var text = "From: Bench <a@x.test>\r\nTo: b@x.test\r\nSubject: transport benchmark\r\n"
    text += "Message-ID: <bench@x.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
    let line = String(repeating: "0123456789", count: 8).prefix(74) + "\r\n"
    while text.utf8.count + line.utf8.count <= size { text += line }
    return Array(text.utf8)
}

let options = Options(CommandLine.arguments)
let message = makeMessage(size: options.size)
let envelope = try SMTPEnvelope(mailFrom: Mailbox(address: "a@x.test"), recipients: [Mailbox(address: "b@x.test")])
let endpoint = SMTPEndpoint(
    host: options.host, port: options.port, tls: .none, ehloName: "bench.x.test",
    connectTimeout: .seconds(5), replyTimeout: .seconds(30), totalTimeout: .seconds(60))

/// Tallies across sessions.
let sent = Atomic<Int>(0)
let problems = Mutex<[String: Int]>([:])

/// Sends one session's share of the messages over one reused connection.
func runSession(_ index: Int) {
    let share = options.messages / options.sessions + (index < options.messages % options.sessions ? 1 : 0)
    do {
        let session = try SMTPSession(endpoint: endpoint)
        for _ in 0..<share {
            let report = session.send(message, envelope: envelope)
            if case .sent = report.outcome {
                sent.add(1, ordering: .relaxed)
            } else {
                problems.withLock { $0["\(report.outcome)", default: 0] += 1 }
            }
        }
    } catch {
        problems.withLock { $0["\(error)", default: 0] += share }
    }
}

// One thread per session, all at once (concurrentPerform would cap them at the core count).
let start = ContinuousClock.now
let finished = DispatchGroup()
for index in 0..<options.sessions {
    finished.enter()
    Thread {
        runSession(index)
        finished.leave()
    }.start()
}
finished.wait()
let elapsed = ContinuousClock.now - start
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
let delivered = sent.load(ordering: .relaxed)
print(String(format: "outbox-transport sessions=%d messages=%d bytes=%d sent=%d seconds=%.3f rate=%.0f",
             options.sessions, options.messages, message.count, delivered, seconds, Double(delivered) / seconds))
for (problem, count) in problems.withLock({ $0 }) { print("  not sent \(count)x: \(problem)") }
exit(delivered == options.messages ? 0 : 1)
