/// The sections and keys `outbox.conf` knows, in the order the documentation lists them.
enum ConfigurationSchema {
    static let sections: [(name: String, keys: [String])] = [
        ("database", ["path"]),
        ("delivery", ["workers", "lease-seconds", "poll-interval-ms", "connections-per-profile", "unknown-outcome", "unknown-check-sent",
                      "unknown-check-after", "unknown-resend-after"]),
        ("retry", ["first-delay", "max-delay", "give-up-after", "jitter"]),
        ("relay", ["host", "port", "tls", "username", "password-credential", "verify-tls", "ca-file", "bind-address", "helo-name"]),
        ("reply-to", ["company-address", "event-domain"]),
        ("bounces", ["domain", "mailbox-url", "mailbox-user", "mailbox-password-credential", "poll-interval"] + BounceSettings.policyKeys
            + ["unsubscribe-url"]),
        ("log", ["level"]),
        ("enqueue", ["attachment-roots"]),
        ("dkim", ["sign-modes"]),
        ("http", ["listen", "max-body-bytes", "allow-public", "status-page-without-token", "tls-certificate", "tls-key"]),
        ("dns", ["resolver"]),
        ("dmarc", ["mismatch", "relay-spf"]),
        ("webhooks", ["timeout", "concurrency", "poll-interval", "first-retry", "max-retry", "give-up-after"]),
    ]

    /// Keys that would put a secret into the file; refused with a pointer to credentials.
    static let secretKeys: Set<String> = ["password", "mailbox-password", "secret", "pass", "token"]

    static func keys(of section: String) -> [String]? {
        sections.first { $0.name == section }?.keys
    }

    /// The closest known name within two edits, for "did you mean" hints.
    static func suggestion(for name: String, among candidates: [String]) -> String? {
        candidates
            .map { ($0, editDistance(name, $0)) }
            .filter { $0.1 <= 2 }
            .min { $0.1 < $1.1 }?.0
    }

    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}
