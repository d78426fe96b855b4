// DKIM signing micro-benchmark: signs a composed ~5 KB invoice letter (the drain
// benchmark's size) on one thread, as the daemon does per message (canonicalisation, body
// hash, header hash, signature, prepend), and prints signatures per second for RSA-2048,
// Ed25519 and both (dual): per second of this thread's CPU time (what one core signs,
// whatever else the machine runs) and per second of wall time. Run by scripts/bench-drain;
// alone: DKIMBenchmark [SECONDS].
import Foundation
import OutboxCore

let seconds = CommandLine.arguments.dropFirst().first.flatMap(Double.init) ?? 2
let body = String(("Tere! Arve on lisatud. Lugupidamisega, Raamatupidamine.\n" * 90).prefix(4700))
let message = MIMEComposer.compose(MIMEMessage(
    from: try Mailbox(address: "bench@example.com", displayName: "Bench"), to: [try Mailbox(address: "c1@example.net")],
    subject: "Invoice 1", textBody: body, messageID: "bench.1@example.com", date: Date()))

func key(_ algorithm: DKIMAlgorithm, _ selector: String) throws -> DKIMSigningKey {
    DKIMSigningKey(domain: "example.com", selector: selector, privateKey: try DKIMPrivateKey.generate(algorithm))
}
let rsa = try key(.rsaSHA256, "rsa"), ed25519 = try key(.ed25519SHA256, "ed")

print("dkim signing, one thread, \(message.count)-byte message, \(seconds) s each:")
for (name, keys) in [("rsa-sha256 (2048)", [rsa]), ("ed25519-sha256", [ed25519]), ("dual (rsa + ed25519)", [rsa, ed25519])] {
    var count = 0
    var bytes = 0
    let start = Date(), startCPU = threadCPUSeconds()
    while Date().timeIntervalSince(start) < seconds {
        for _ in 0..<20 { bytes &+= try DKIMSigner.sign(message, keys: keys, time: 1_800_000_000).count }
        count += 20
    }
    let elapsed = Date().timeIntervalSince(start), cpu = threadCPUSeconds() - startCPU
    print("  \(name): \(Int(Double(count) / cpu)) messages per CPU second (\(String(format: "%.0f", cpu / Double(count) * 1_000_000)) µs each); "
        + "\(Int(Double(count) / elapsed)) per wall second")
    precondition(bytes > message.count * count)
}

func threadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

func * (text: String, count: Int) -> String { String(repeating: text, count: count) }
