import ArgumentParser
import OutboxCore
import OutboxStore

/// `outbox dkim keygen --domain D --selector S [--algorithm rsa|ed25519]`: creates a key,
/// stores it and prints the TXT record to publish. The private key is never printed.
struct DKIMKeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen", abstract: "Create and store a DKIM key; print the DNS TXT record to publish.",
        discussion: """
            RSA keys are 2048 bits (rsa-sha256); Ed25519 keys (ed25519-sha256, RFC 8463) are signed alongside an RSA key \
            of the same domain, since not every receiver verifies Ed25519 yet. The oldest key of each algorithm signs; \
            a new selector stands by until the older key is deleted (rotation: keygen, publish, delete the old one).
            """)
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var name: DKIMKeyName
    @Option(help: ArgumentHelp("rsa (2048 bits) or ed25519.", valueName: "algorithm")) var algorithm = "rsa"
    @Flag(help: "Print as JSON.") var json = false

    func run() throws {
        let (domain, selector) = try name.checked()
        let info: DKIMKeyInfo
        do {
            let key = try DKIMPrivateKey.generate(try DKIMAlgorithm(keyType: algorithm))
            info = try database.storeDKIMKey(domain: domain, selector: selector, key: key, now: nowMilliseconds())
        } catch let error as DKIMError {
            throw ValidationError(error.reason)
        }
        if json { try Formatting.printJSON(DKIMKeyView(info)); return }
        print("stored \(info.algorithm.rawValue) key '\(selector)' for \(domain)\(info.isSigning ? "" : " (standing by: an older \(info.algorithm.keyType) key signs until it is deleted)")")
        print("publish this DNS record:")
        print(info.dnsRecord.zoneLine)
    }
}
