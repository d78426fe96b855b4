import ArgumentParser
import Foundation
import OutboxPostgres
import OutboxStore

/// `outbox api-token …`: the tokens applications present to the HTTP API.
struct APITokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api-token", abstract: "Manage the HTTP API's application tokens (stored hashed; shown once).",
        subcommands: [APITokenCreateCommand.self, APITokenListCommand.self, APITokenRevokeCommand.self])
}

/// `outbox api-token create NAME [--owner O]…`: prints the new token once, on stdout only.
struct APITokenCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a token for an application; it is printed once and only its SHA-256 is kept.")

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The application's name (erp, invoicing).") var name: String
    @Option(help: ArgumentHelp("Limit the token to this owner's mail (repeatable); default: every owner.", valueName: "owner"))
    var owner: [String] = []
    @Flag(help: "Print the token and its record as JSON.") var json = false

    func run() throws {
        let (name, owners, now) = (self.name, owner.isEmpty ? nil : owner, nowMilliseconds())
        let (token, record) = try database.withTokens { try await $0.createAPIToken(name: name, owners: owners, now: now) }
        if json {
            struct Created: Encodable { let token: String; let record: APITokenRecord }
            try Formatting.printJSON(Created(token: token, record: record))
            return
        }
        print(token)
        Terminal.notice("API token '\(name)' created\(record.owners.map { " for owner(s) \($0.joined(separator: ", "))" } ?? " for every owner"); "
                        + "it is shown only now: give it to the application as 'Authorization: Bearer TOKEN'")
    }
}

/// `outbox api-token list`: names, owner limits and state; never a token.
struct APITokenListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the API tokens (never the tokens themselves).")

    @OptionGroup var database: DatabaseOptions
    @Flag(help: "Print as JSON.") var json = false

    func run() throws {
        let tokens = try database.withTokens(.readOnly) { try await $0.apiTokens() }
        if json { try Formatting.printJSON(tokens); return }
        guard !tokens.isEmpty else { print("no API tokens"); return }
        var rows = [["NAME", "OWNERS", "CREATED", "STATE"]]
        for token in tokens {
            rows.append([token.name, token.owners?.joined(separator: ",") ?? "(all)", Formatting.time(token.createdAt),
                         token.revokedAt.map { "revoked \(Formatting.time($0))" } ?? "live"])
        }
        print(Formatting.table(rows))
    }
}

/// `outbox api-token revoke NAME`: the token is refused from the next request on.
struct APITokenRevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke an API token; requests with it are refused from now on.")

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The token's name.") var name: String

    func run() throws {
        let (name, now) = (self.name, nowMilliseconds())
        try database.withTokens { try await $0.revokeAPIToken(name: name, now: now) }
        print("API token '\(name)' revoked")
    }
}

extension DatabaseOptions {
    /// Runs a token command's store work on the SQLite file (opened with `access`) or the
    /// PostgreSQL outbox the setting names; errors as the other commands report them.
    fileprivate func withTokens<T: Sendable>(_ access: OutboxDatabase.Access = .readWrite,
                                             _ body: @escaping @Sendable (any APITokenStore) async throws -> T) throws -> T {
        try onEitherStore(access, body, body)
    }
}
