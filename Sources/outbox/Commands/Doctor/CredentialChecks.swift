import Foundation
import OutboxDaemon
import OutboxStore

/// Every credential the configuration or a profile names: it exists, is readable and not
/// empty (in `$CREDENTIALS_DIRECTORY` under the service, else in /etc/credstore), and the unit
/// loads it (`LoadCredential=NAME`) — a named credential that is missing stops the unit
/// (`243/CREDENTIALS`) or its logins.
enum CredentialChecks {
    /// The findings, and the names that could be read.
    static func run(_ context: DoctorContext, database: OutboxDatabase?, unit: String?) -> (findings: [DoctorFinding], readable: Set<String>) {
        var named: [(name: String, by: String)] = []
        if let configuration = context.configuration {
            if let name = configuration.relay?.passwordCredential { named.append((name, "[relay] password-credential")) }
            if let name = configuration.bounces.mailboxPasswordCredential { named.append((name, "[bounces] mailbox-password-credential")) }
        }
        if let profiles = try? database?.profiles() {
            for profile in profiles { if let name = profile.secretCredential { named.append((name, "profile \(profile.owner)")) } }
        }
        let loaded = unit.map(loadedCredentials) ?? nil
        var findings: [DoctorFinding] = []
        var readable: Set<String> = []
        for (name, users) in Dictionary(grouping: named, by: \.name).sorted(by: { $0.key < $1.key }) {
            let by = users.map(\.by).joined(separator: ", ")
            let check = "credential \(name)"
            do {
                _ = try Credentials.read(name: name, environment: context.environment)
            } catch {
                let fix = error.code == .unreadable && geteuid() != 0
                    ? "run outbox doctor as root (sudo outbox doctor): \(DoctorContext.credentialStore) is readable by root only, as systemd needs"
                    : "sudo install -m 0600 /dev/stdin \(DoctorContext.credentialStore)/\(name) (type the password, then Ctrl-D)"
                findings.append(.problem(check, "named by \(by): \(error.reason)", fix: fix))
                continue
            }
            readable.insert(name)
            if let loaded, !loaded.contains(name) {
                findings.append(.problem(check, "named by \(by) and present, but the unit \(unit!) does not load it",
                                         fix: "systemctl edit outbox and add [Service] LoadCredential=\(name), then systemctl restart outbox"))
                continue
            }
            findings.append(.ok(check, "named by \(by): \(context.credentialsDirectory)/\(name) is readable"))
        }
        if named.isEmpty { findings.append(.ok("credentials", "the configuration and the profiles name no credential")) }
        return (findings, readable)
    }

    /// The names in the unit's `LoadCredential=` (and `LoadCredentialEncrypted=`, `SetCredential=`) lines, drop-ins included.
    static func loadedCredentials(unit: String) -> Set<String> {
        let dropIns = (try? FileManager.default.contentsOfDirectory(atPath: unit + ".d"))?.filter { $0.hasSuffix(".conf") }.sorted() ?? []
        var names: Set<String> = []
        for file in [unit] + dropIns.map({ unit + ".d/" + $0 }) {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, ["LoadCredential", "LoadCredentialEncrypted", "SetCredential"].contains(parts[0]) else { continue }
                if let name = parts[1].split(separator: ":").first { names.insert(String(name)) }
            }
        }
        return names
    }
}
