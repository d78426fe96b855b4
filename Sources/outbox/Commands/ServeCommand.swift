import ArgumentParser

/// `outbox serve`: the delivery daemon (being built).
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the delivery daemon.")

    func run() throws {
        throw ValidationError("serve is not implemented yet")
    }
}
