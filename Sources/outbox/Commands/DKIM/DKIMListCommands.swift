import ArgumentParser
import OutboxCore
import OutboxStore

/// `outbox dkim list [--domain D]`.
struct DKIMListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the stored DKIM keys.")
    @OptionGroup var database: DatabaseOptions
    @Option(help: ArgumentHelp("Only this signing domain.", valueName: "domain")) var domain: String?
    @Flag(help: "Print as JSON.") var json = false

    func run() throws {
        let keys = try database.dkimKeys(domain: domain?.lowercased()).map(DKIMKeyView.init)
        if json { try Formatting.printJSON(keys); return }
        guard !keys.isEmpty else { print("no DKIM keys (outbox dkim keygen --domain D --selector S)"); return }
        var rows = [["DOMAIN", "SELECTOR", "ALGORITHM", "CREATED", "STATE"]]
        for key in keys { rows.append([key.domain, key.selector, key.algorithm, Formatting.time(key.createdAt), key.state]) }
        print(Formatting.table(rows))
    }
}

/// `outbox dkim show --domain D --selector S`: the key's details and DNS record.
struct DKIMShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a DKIM key and its DNS TXT record (never the private key).")
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var name: DKIMKeyName
    @Flag(help: "Print as JSON.") var json = false

    func run() throws {
        let (domain, selector) = try name.checked()
        guard let info = try database.dkimKeys(domain: domain).first(where: { $0.selector == selector }) else {
            Terminal.error("no DKIM key '\(selector)' for \(domain) (see outbox dkim list)")
            throw ExitCode.failure
        }
        let view = DKIMKeyView(info)
        if json { try Formatting.printJSON(view); return }
        print("DKIM key '\(selector)' of \(domain)")
        print("algorithm  \(view.algorithm)")
        print("created    \(Formatting.time(view.createdAt))")
        print("state      \(view.state)")
        print("DNS record:")
        print(info.dnsRecord.zoneLine)
    }
}

/// `outbox dkim delete --domain D --selector S`.
struct DKIMDeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete a DKIM key (mail that must be signed and has no key left is held, not sent unsigned).")
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var name: DKIMKeyName

    func run() throws {
        let (domain, selector) = try name.checked()
        guard try database.deleteDKIMKey(domain: domain, selector: selector) else {
            Terminal.error("no DKIM key '\(selector)' for \(domain)")
            throw ExitCode.failure
        }
        print("DKIM key '\(selector)' of \(domain) deleted")
    }
}
