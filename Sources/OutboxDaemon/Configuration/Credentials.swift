import Foundation

/// Secrets handed to the service by systemd (`LoadCredential=NAME:PATH`), read from
/// `$CREDENTIALS_DIRECTORY/NAME`. Secrets never appear in errors or logs.
public enum Credentials {
    /// The credential's content without one trailing newline.
    public static func read(name: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(CredentialError) -> String {
        guard isValidName(name) else {
            throw CredentialError(.invalidName, name: name, reason: "not a valid credential name (a plain file name without '/')")
        }
        guard let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty else {
            throw CredentialError(.noCredentialsDirectory, name: name, reason:
                "$CREDENTIALS_DIRECTORY is not set; run under systemd with LoadCredential=\(name) (the file /etc/credstore/\(name)), "
                + "or set CREDENTIALS_DIRECTORY to a directory holding a file named \(name)")
        }
        let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
        guard let data = FileManager.default.contents(atPath: path) else {
            if FileManager.default.fileExists(atPath: path) {
                throw CredentialError(.unreadable, name: name, reason: "\(path) cannot be read (check its permissions)")
            }
            throw CredentialError(.notFound, name: name, reason:
                "\(path) does not exist; store the password in /etc/credstore/\(name) (mode 0600) and make sure the unit has LoadCredential=\(name)")
        }
        guard var text = String(data: data, encoding: .utf8) else {
            throw CredentialError(.unreadable, name: name, reason: "\(path) is not UTF-8 text")
        }
        if text.last == "\n" || text.last == "\r\n" { text.removeLast() }
        guard !text.isEmpty else { throw CredentialError(.empty, name: name, reason: "\(path) is empty") }
        return text
    }

    /// Whether `name` can name a file in the credentials directory.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && name.utf8.count <= 255
            && !name.contains { $0 == "/" || $0.isWhitespace || $0.asciiValue.map { $0 < 0x20 } == true }
    }
}
