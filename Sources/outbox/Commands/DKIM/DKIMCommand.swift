import ArgumentParser
import OutboxCore

/// `outbox dkim …`: the DKIM keys mail is signed with, per signing domain and selector.
struct DKIMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dkim", abstract: "Manage DKIM signing keys (per From domain and selector) and print their DNS records.",
        subcommands: [DKIMKeygenCommand.self, DKIMListCommand.self, DKIMShowCommand.self, DKIMDeleteCommand.self])
}

/// `--domain D --selector S`, checked as DNS names.
struct DKIMKeyName: ParsableArguments {
    @Option(help: ArgumentHelp("The signing domain: the From address's domain (A-label for an internationalised one).", valueName: "domain"))
    var domain: String
    @Option(help: ArgumentHelp("The selector: the DNS name part before ._domainkey (e.g. s2026).", valueName: "selector"))
    var selector: String

    /// The names in lower case; a clear error for a name that cannot be used.
    func checked() throws -> (domain: String, selector: String) {
        do { return (try DKIMName.domain(domain), try DKIMName.selector(selector)) } catch {
            throw ValidationError(error.reason)
        }
    }
}
