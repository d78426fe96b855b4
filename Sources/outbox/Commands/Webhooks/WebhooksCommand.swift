import ArgumentParser
import Foundation
import OutboxCore
import OutboxStore
import OutboxTransport

/// `outbox webhooks add|list|remove|deliveries`: URLs told about events by `outbox serve`.
struct WebhooksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks", abstract: "Register URLs that `outbox serve` tells about events (signed POSTs, retried).",
        subcommands: [Add.self, List.self, Remove.self, Deliveries.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a URL; prints its signing secret once.",
            discussion: "The URL gets one signed JSON POST per event of the given kinds, from the time it is added on. "
                + "https:// is required; http:// only to a loopback address, or with --allow-http.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "https://… (http:// only to 127.0.0.1, [::1] or localhost).") var url: String
        @Option(help: ArgumentHelp("Event kinds, comma-separated (e.g. bounced,complaint,failed,sent,unsubscribed).", valueName: "kinds"))
        var events: String
        @Option(help: "Only this owner's events (default: every owner).") var owner: String?
        @Flag(name: .customLong("allow-http"), help: "Allow plain http:// to a host that is not loopback (the events cross the network unencrypted).")
        var allowHTTP = false
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            if let problem = HTTPURLPolicy.problem(with: url, allowingPlainHTTP: allowHTTP) {
                throw ValidationError(problem + (allowHTTP ? "" : " (or give --allow-http to send the events unencrypted)"))
            }
            let unknown = kinds.filter { !WebhookEndpoint.knownEvents.contains($0) }
            guard !kinds.isEmpty, unknown.isEmpty else {
                throw ValidationError("--events: unknown kind(s) '\(unknown.joined(separator: ", "))'; known: "
                    + WebhookEndpoint.knownEvents.sorted().joined(separator: ", "))
            }
        }

        private var kinds: [String] {
            var seen = Set<String>()
            return events.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && seen.insert($0).inserted }
        }

        func run() throws {
            // 256 bits from the system's cryptographic generator (getrandom).
            let secret = "whsec_" + (0..<32).map { _ in UInt8.random(in: 0...255) }.hexString
            let endpoint = try Failure.guarding {
                let (url, kinds, owner, allowHTTP, now) = (url, kinds, owner, allowHTTP, nowMilliseconds())
                return try database.onWebhookStore {
                    try await $0.addWebhook(url: url, events: kinds, owner: owner, allowsPlainHTTP: allowHTTP, secret: secret, now: now)
                }
            }
            if json {
                try Formatting.printJSON(["id": String(endpoint.id), "url": endpoint.url, "secret": secret])
                return
            }
            print("webhook \(endpoint.id): \(endpoint.url) for \(endpoint.events.joined(separator: ",")) of \(endpoint.owner ?? "every owner")")
            print("signing secret (shown only now; store it with the receiver): \(secret)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List registered URLs with their pending and failed deliveries.")
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let endpoints = try database.onWebhookStore(.readOnly) { try await $0.webhooks() }
            if json { try Formatting.printJSON(endpoints); return }
            guard !endpoints.isEmpty else { print("no webhooks"); return }
            print(Formatting.table([["ID", "URL", "EVENTS", "OWNER", "PENDING", "FAILED", "SINCE"]] + endpoints.map {
                [String($0.id), $0.url, $0.events.joined(separator: ","), $0.owner ?? "*", String($0.pending), String($0.failed), Formatting.time($0.createdAt)]
            }))
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a URL and its deliveries.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The webhook's id (see `outbox webhooks list`).") var id: Int64

        func run() throws {
            guard try database.onWebhookStore(.readWrite, { [id] in try await $0.removeWebhook(id: id) }) else {
                Terminal.error("no webhook with id \(id)")
                throw ExitCode.failure
            }
            print("removed webhook \(id)")
        }
    }

    struct Deliveries: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show deliveries, newest first, with every attempt (status, latency, error).")
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Only deliveries given up on.") var failed = false
        @Option(help: "Only this webhook's deliveries.") var endpoint: Int64?
        @Option(help: "At most this many.") var limit = 100
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let (endpoint, failed, limit) = (endpoint, failed, max(1, limit))
            let deliveries = try database.onWebhookStore(.readOnly) { try await $0.webhookDeliveries(endpointID: endpoint, failedOnly: failed, limit: limit) }
            if json { try Formatting.printJSON(deliveries); return }
            guard !deliveries.isEmpty else { print("no deliveries"); return }
            print(Formatting.table([["ID", "WEBHOOK", "EVENT", "KIND", "STATE", "ATTEMPTS", "LAST", "LATENCY", "NEXT", "ERROR"]] + deliveries.map {
                let last = $0.history.last
                return [String($0.id), String($0.endpointID), String($0.eventID), $0.eventKind ?? "(purged)", $0.state, String($0.attempts),
                        last.map { attempt in attempt.status.map { String($0) } ?? "no response" } ?? "-", last.map { "\($0.latencyMilliseconds)ms" } ?? "-",
                        Formatting.time($0.nextAttemptAt), Formatting.clip($0.lastError ?? "", 60)]
            }))
        }
    }
}


extension DatabaseOptions {
    /// Runs a webhooks command's store work on whichever store the setting names: the
    /// PostgreSQL outbox, or the SQLite file opened with `access`; errors as the SQLite path reports them.
    fileprivate func onWebhookStore<T: Sendable>(_ access: OutboxDatabase.Access = .readWrite,
                                                 _ body: @escaping @Sendable (any WebhookStore) async throws -> T) throws -> T {
        try onEitherStore(access, body, body)
    }
}
