import ArgumentParser
import Foundation
import OutboxCore

/// Where a password comes from. Never a command-line argument: it would show in `ps`
/// and shell history.
struct SecretInput: ParsableArguments {
    @Flag(name: .customLong("password-stdin"), help: "Read the password (or token) from standard input.")
    var fromStdin = false

    @Option(name: .customLong("password-file"), help: ArgumentHelp("Read the password from this file.", valueName: "file"))
    var file: String?

    @Option(name: .customLong("password-credential"), help: ArgumentHelp(
        "Use the systemd credential of this name ($CREDENTIALS_DIRECTORY/NAME, LoadCredential=) at send time.", valueName: "name"))
    var credential: String?

    @Option(name: .customLong("password"), help: .hidden)
    var refusedArgument: String?

    func validate() throws {
        if refusedArgument != nil {
            throw ValidationError("passwords are never accepted as command-line arguments (they show in ps and shell history); "
                + "use --password-stdin, --password-file FILE or --password-credential NAME")
        }
        guard [fromStdin, file != nil, credential != nil].filter({ $0 }).count <= 1 else {
            throw ValidationError("give only one of --password-stdin, --password-file, --password-credential")
        }
        if let credential, credential.isEmpty || credential.contains("/") {
            throw ValidationError("--password-credential takes a credential name without '/'")
        }
    }

    /// The secret read from stdin or the file, without its final line break; nil when none was given.
    func read() throws -> String? {
        var text: String?
        if fromStdin {
            text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        } else if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read password file \(file)")
            }
            text = String(decoding: data, as: UTF8.self)
        }
        guard var secret = text else { return nil }
        while secret.hasSuffix("\n") || secret.hasSuffix("\r") { secret.removeLast() }
        guard !secret.isEmpty else { throw ValidationError("the password is empty") }
        if secret.contains("\n") { throw ValidationError("the password has more than one line") }
        return secret
    }
}
