import Foundation
public import OutboxStore

/// Where a PostgreSQL outbox is: `postgres://USER@HOST[:PORT]/DATABASE[?sslmode=MODE]`.
///
/// A password in the URL is refused (it would sit in the configuration and in `ps`); it
/// comes from the systemd credential `outbox-database-password` (`$CREDENTIALS_DIRECTORY`)
/// or from the `PGPASSFILE` file (libpq's `host:port:database:user:password` lines, `*`
/// matching anything, the file readable by its owner only), and may be absent with trust
/// or peer authentication.
public struct PostgresLocation: Sendable, Hashable {
    /// How the connection uses TLS, as libpq's `sslmode`.
    public enum TLSMode: String, Sendable, Hashable, CaseIterable {
        case disable, prefer, require
        /// TLS with the server certificate checked against the trusted roots (no host name check).
        case verifyCA = "verify-ca"
        /// TLS with the certificate and the host name checked.
        case verifyFull = "verify-full"
    }

    public let user: String
    public let host: String
    public let port: Int
    public let database: String
    public let tlsMode: TLSMode

    /// The systemd credential holding the password.
    public static let passwordCredential = "outbox-database-password"

    /// True when `setting` names a PostgreSQL outbox rather than an SQLite file.
    public static func isPostgres(_ setting: String) -> Bool {
        setting.hasPrefix("postgres://") || setting.hasPrefix("postgresql://")
    }

    /// Parses the `database` setting; errors say what is wrong with it.
    public init(_ setting: String) throws(StoreError) {
        func refuse(_ reason: String) -> StoreError {
            StoreError(.cannotOpenDatabase, "database = \(Self.redacted(setting)): \(reason)")
        }
        guard Self.isPostgres(setting), let url = URLComponents(string: setting) else {
            throw refuse("expected postgres://USER@HOST[:PORT]/DATABASE[?sslmode=MODE]")
        }
        guard url.password == nil else {
            throw refuse("a password in the URL is refused; use the systemd credential \(Self.passwordCredential) or PGPASSFILE")
        }
        guard let user = url.user, !user.isEmpty else { throw refuse("no user (postgres://USER@HOST/DATABASE)") }
        guard let host = url.host, !host.isEmpty else { throw refuse("no host") }
        let database = String(url.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else { throw refuse("no database name after the host") }
        var mode = TLSMode.prefer
        for item in url.queryItems ?? [] {
            guard item.name == "sslmode" else { throw refuse("unknown parameter '\(item.name)' (only sslmode)") }
            guard let value = item.value.flatMap(TLSMode.init(rawValue:)) else {
                throw refuse("sslmode must be one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            mode = value
        }
        self.user = user.removingPercentEncoding ?? user
        self.host = host
        self.port = url.port ?? 5432
        self.database = database.removingPercentEncoding ?? database
        self.tlsMode = mode
    }

    /// The setting with any password replaced, for messages.
    static func redacted(_ setting: String) -> String {
        guard var url = URLComponents(string: setting), url.password != nil else { return setting }
        url.password = "***"
        return url.string ?? "postgres://…"
    }

    /// The password: the systemd credential, else the first matching `PGPASSFILE` line, else nil.
    public func password(environment: [String: String] = ProcessInfo.processInfo.environment) throws(StoreError) -> String? {
        if let directory = environment["CREDENTIALS_DIRECTORY"] {
            let path = directory + "/" + Self.passwordCredential
            if let data = FileManager.default.contents(atPath: path) {
                return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
            }
        }
        guard let file = environment["PGPASSFILE"] else { return nil }
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: file),
            let data = FileManager.default.contents(atPath: file)
        else { throw StoreError(.cannotOpenDatabase, "PGPASSFILE \(file) cannot be read") }
        if let mode = attributes[.posixPermissions] as? Int, mode & 0o077 != 0 {
            throw StoreError(.cannotOpenDatabase, "PGPASSFILE \(file) is readable by others (mode \(String(mode, radix: 8))); chmod 600 it")
        }
        for line in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let fields = Self.passFileFields(String(line))
            guard fields.count == 5 else { continue }
            let wanted = [host, String(port), database, user]
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }

    /// Splits a `.pgpass` line at unescaped colons; `\:` and `\\` stand for themselves.
    static func passFileFields(_ line: String) -> [String] {
        var fields: [String] = [], current = "", escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}
