import OutboxCore
import OutboxStore

/// Checks a parsed file against ``ConfigurationSchema`` and applies its values.
struct ConfigurationBuilder {
    var file: String

    func apply(_ document: ConfigurationSyntax.Document, to configuration: inout OutboxConfiguration) throws(ConfigurationError) {
        for (section, line) in document.sectionLines.sorted(by: { $0.value < $1.value }) where ConfigurationSchema.keys(of: section) == nil {
            let hint = ConfigurationSchema.suggestion(for: section, among: ConfigurationSchema.sections.map(\.name)).map { "; did you mean [\($0)]?" } ?? ""
            throw ConfigurationError(.unknownSection, file: file, line: line, reason: "unknown section [\(section)]\(hint)")
        }
        var seen: [String: Int] = [:]
        var relay = RelayDraft()
        var replyTo: (company: (String, Int)?, domain: (String, Int)?) = (nil, nil)
        for entry in document.entries {
            try check(entry, seen: &seen)
            let parse = ConfigurationValueParser(file: file, line: entry.line, name: "[\(entry.section)] \(entry.key)")
            switch (entry.section, entry.key) {
            case ("database", "path"): configuration.databasePath = try parse.path(entry.value)
            case ("delivery", "workers"): configuration.delivery.workers = try parse.integer(entry.value, in: 1...1024)
            case ("delivery", "lease-seconds"): configuration.delivery.lease = .seconds(try parse.integer(entry.value, in: 5...86_400))
            case ("delivery", "poll-interval-ms"):
                configuration.delivery.pollInterval = .milliseconds(try parse.integer(entry.value, in: 10...3_600_000))
            case ("delivery", "connections-per-profile"):
                configuration.delivery.connectionsPerProfile = try parse.integer(entry.value, in: 1...1024)
            case ("delivery", "unknown-outcome"):
                guard let action = UnknownOutcome.Action(rawValue: entry.value), action != .checkSent else {
                    throw ConfigurationError(.invalidValue, file: file, line: entry.line,
                                             reason: "[delivery] unknown-outcome must be 'hold' or 'resend', not '\(entry.value)'")
                }
                configuration.delivery.unknownOutcome.fallback = action
            case ("delivery", "unknown-check-sent"): configuration.delivery.unknownOutcome.checkSent = try parse.boolean(entry.value)
            case ("delivery", "unknown-check-after"): configuration.delivery.unknownOutcome.checkAfter = try parse.duration(entry.value)
            case ("delivery", "unknown-resend-after"): configuration.delivery.unknownOutcome.resendAfter = try parse.duration(entry.value)
            case ("retry", "first-delay"): configuration.retry.firstDelay = try parse.duration(entry.value)
            case ("retry", "max-delay"): configuration.retry.maxDelay = try parse.duration(entry.value)
            case ("retry", "give-up-after"): configuration.retry.giveUpAfter = try parse.duration(entry.value)
            case ("retry", "jitter"): configuration.retry.jitter = try parse.fraction(entry.value)
            case ("relay", _): try relay.set(entry, parse)
            case ("reply-to", "company-address"): replyTo.company = (try parse.token(entry.value), entry.line)
            case ("reply-to", "event-domain"): replyTo.domain = (try parse.token(entry.value), entry.line)
            case ("bounces", "domain"): configuration.bounces.domain = try parse.token(entry.value)
            case ("bounces", "mailbox-url"): configuration.bounces.mailboxURL = try mailboxURL(entry.value, parse)
            case ("bounces", "mailbox-user"): configuration.bounces.mailboxUser = entry.value.isEmpty ? nil : entry.value
            case ("bounces", "mailbox-password-credential"):
                configuration.bounces.mailboxPasswordCredential = try parse.credentialName(entry.value)
            case ("bounces", "poll-interval"): configuration.bounces.pollInterval = try parse.duration(entry.value)
            case ("bounces", "unsubscribe-url"): configuration.bounces.unsubscribeURL = try BounceSettings.unsubscribeURL(entry.value, parse)
            case ("bounces", _) where BounceSettings.policyKeys.contains(entry.key): _ = try configuration.bounces.set(entry.key, entry.value, parse)
            case ("log", "level"): configuration.logLevel = try parse.logLevel(entry.value)
            case ("enqueue", "attachment-roots"): configuration.enqueue.attachmentRoots = try parse.absolutePaths(entry.value)
            case ("dkim", "sign-modes"): configuration.dkim.signModes = try DKIMSettings.signModes(entry.value, parse)
            case ("http", "listen"):
                guard let (host, port) = HTTPSettings.listenAddress(entry.value) else {
                    throw ConfigurationError(.invalidValue, file: file, line: entry.line,
                                             reason: "[http] listen: '\(entry.value)' is not HOST:PORT (e.g. 127.0.0.1:8025 or [::1]:8025)")
                }
                (configuration.http.host, configuration.http.port) = (host, port)
            case ("http", "max-body-bytes"): configuration.http.maxBodyBytes = try parse.integer(entry.value, in: 1024...(1 << 34))
            case ("http", "allow-public"): configuration.http.allowPublic = try parse.boolean(entry.value)
            case ("http", "status-page-without-token"): configuration.http.statusPageWithoutToken = try parse.boolean(entry.value)
            case ("http", "tls-certificate"), ("http", "tls-key"):
                let paths = try parse.absolutePaths(entry.value)
                guard paths.count == 1 else {
                    throw ConfigurationError(.invalidValue, file: file, line: entry.line, reason: "[http] \(entry.key): give one absolute path")
                }
                if entry.key == "tls-key" { configuration.http.tlsKey = paths[0] } else { configuration.http.tlsCertificate = paths[0] }
            case ("dns", "resolver"): configuration.dns.resolver = try DNSSettings.resolver(entry.value, parse)
            case ("dmarc", "mismatch"): configuration.dmarc.mismatch = try DMARCSettings.mismatch(entry.value, parse)
            case ("dmarc", "relay-spf"): configuration.dmarc.relaySPF = try DMARCSettings.relaySPF(entry.value, parse)
            case ("webhooks", "timeout"): configuration.webhooks.timeout = try parse.duration(entry.value)
            case ("webhooks", "concurrency"): configuration.webhooks.concurrency = try parse.integer(entry.value, in: 1...64)
            case ("webhooks", "poll-interval"): configuration.webhooks.pollInterval = try parse.duration(entry.value)
            case ("webhooks", "first-retry"): configuration.webhooks.retry.firstDelay = try parse.duration(entry.value)
            case ("webhooks", "max-retry"): configuration.webhooks.retry.maxDelay = try parse.duration(entry.value)
            case ("webhooks", "give-up-after"): configuration.webhooks.retry.giveUpAfter = try parse.duration(entry.value)
            default: preconditionFailure("schema and builder disagree on [\(entry.section)] \(entry.key)")
            }
        }
        configuration.relay = try relay.settings(file: file, sectionLine: document.sectionLines["relay"])
        switch replyTo {
        case (nil, nil): configuration.replyTo = nil
        case let (company?, domain?): configuration.replyTo = ReplyToSettings(companyAddress: company.0, eventDomain: domain.0)
        case let (company, domain):
            let (missing, line) = company == nil ? ("company-address", domain!.1) : ("event-domain", company!.1)
            throw ConfigurationError(.missingValue, file: file, line: line, reason: "[reply-to] needs '\(missing)' as well")
        }
        if let host = configuration.http.host, !HTTPSettings.isLoopback(host), !configuration.http.allowPublic {
            throw ConfigurationError(.invalidValue, file: file, line: seen["http.listen"], reason:
                "[http] listen: \(host) is not a loopback address; the API binds to loopback unless 'allow-public = yes' is set "
                + "(put a TLS reverse proxy in front of it)")
        }
        if (configuration.http.tlsCertificate == nil) != (configuration.http.tlsKey == nil) {
            let (missing, given) = configuration.http.tlsKey == nil ? ("tls-key", "tls-certificate") : ("tls-certificate", "tls-key")
            throw ConfigurationError(.missingValue, file: file, line: seen["http.\(given)"], reason: "[http] \(given) needs '\(missing)' as well")
        }
        if configuration.http.statusPageWithoutToken, !HTTPSettings.isLoopback(configuration.http.host ?? "127.0.0.1") {
            throw ConfigurationError(.invalidValue, file: file, line: seen["http.status-page-without-token"], reason:
                "[http] status-page-without-token: only a loopback listener may show the status page without a token")
        }
        try checkRetry(configuration.retry, lines: seen)
    }

    private func check(_ entry: ConfigurationEntry, seen: inout [String: Int]) throws(ConfigurationError) {
        if ConfigurationSchema.secretKeys.contains(entry.key) {
            let credentialKey = entry.section == "bounces" ? "mailbox-password-credential" : "password-credential"
            throw ConfigurationError(.passwordInFile, file: file, line: entry.line, reason:
                "[\(entry.section)] '\(entry.key)': passwords do not belong in the configuration file; store it in a systemd "
                + "credential (the file /etc/credstore/NAME, loaded by LoadCredential=NAME in the unit) and set '\(credentialKey) = NAME'")
        }
        let known = ConfigurationSchema.keys(of: entry.section) ?? []
        guard known.contains(entry.key) else {
            let hint = ConfigurationSchema.suggestion(for: entry.key, among: known).map { "; did you mean '\($0)'?" } ?? ""
            throw ConfigurationError(.unknownKey, file: file, line: entry.line, reason: "unknown key '\(entry.key)' in [\(entry.section)]\(hint)")
        }
        let id = "\(entry.section).\(entry.key)"
        if let first = seen[id] {
            throw ConfigurationError(.duplicateKey, file: file, line: entry.line,
                                     reason: "'\(entry.key)' in [\(entry.section)] is already set on line \(first)")
        }
        seen[id] = entry.line
    }

    private func mailboxURL(_ text: String, _ parse: ConfigurationValueParser) throws(ConfigurationError) -> String {
        let url = try parse.token(text)
        let schemes = ["imap://", "imaps://", "pop3://", "pop3s://"]
        guard schemes.contains(where: { url.lowercased().hasPrefix($0) }) else {
            throw ConfigurationError(.invalidValue, file: file, line: parse.line,
                                     reason: "\(parse.name): must start with imap://, imaps://, pop3:// or pop3s://")
        }
        let authority = url.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false).dropFirst(2).first ?? ""
        if let userInfo = authority.split(separator: "@").dropLast().first, userInfo.contains(":") {
            throw ConfigurationError(.passwordInFile, file: file, line: parse.line, reason:
                "\(parse.name): the URL carries a password; put the user in 'mailbox-user' and the password in a systemd credential named by 'mailbox-password-credential'")
        }
        return url
    }

    private func checkRetry(_ retry: RetrySettings, lines: [String: Int]) throws(ConfigurationError) {
        if retry.maxDelay < retry.firstDelay {
            throw ConfigurationError(.outOfRange, file: file, line: lines["retry.max-delay"] ?? lines["retry.first-delay"],
                                     reason: "[retry] max-delay must not be shorter than first-delay")
        }
        if retry.giveUpAfter < retry.firstDelay {
            throw ConfigurationError(.outOfRange, file: file, line: lines["retry.give-up-after"] ?? lines["retry.first-delay"],
                                     reason: "[retry] give-up-after must not be shorter than first-delay")
        }
    }
}
