import Foundation

/// `Tests/Servers/dns_server.py` (dnslib): a stub authoritative DNS server on a loopback
/// port (UDP and TCP), answering from a zone the test sets with ``set(_:servfail:)`` — read
/// again on every query — and counting the queries it got. ``stop()`` ends it.
public final class DNSStubServer {
    /// One TXT record: its text (split into 255-octet strings by the server) and TTL.
    public struct TXT: Sendable {
        public let text: String
        public let ttl: Int
        public init(_ text: String, ttl: Int = 300) {
            self.text = text
            self.ttl = ttl
        }
    }

    private let server: LoopbackServer
    private let zoneFile: String

    /// Starts the server with an empty zone (every name NXDOMAIN).
    public init() throws {
        zoneFile = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-dns-\(UUID().uuidString).json").path
        try Data("{}".utf8).write(to: URL(fileURLWithPath: zoneFile))
        server = try LoopbackServer("dns_server.py", ["--records", zoneFile])
    }

    public var port: Int { server.port }

    /// `127.0.0.1:PORT`, as `[dns] resolver` takes it.
    public var address: String { "127.0.0.1:\(server.port)" }

    /// Replaces the zone: names with their TXT records (a name with none answers NOERROR
    /// without data); names in `servfail` answer SERVFAIL.
    public func set(_ records: [String: [TXT]], servfail: [String] = []) throws {
        var zone: [String: Any] = [:]
        for (name, texts) in records { zone[name] = texts.map { ["type": "TXT", "ttl": $0.ttl, "strings": [$0.text]] as [String: Any] } }
        zone["servfail"] = servfail
        let temporary = zoneFile + ".new"
        try JSONSerialization.data(withJSONObject: zone).write(to: URL(fileURLWithPath: temporary))
        _ = rename(temporary, zoneFile)  // atomic: a query never reads half a zone
    }

    /// How many queries for `name` the server answered.
    public func queries(_ name: String) throws -> Int {
        try server.events("query").filter { ($0["name"] as? String) == name.lowercased() }.count
    }

    public func stop() {
        server.stop()
        try? FileManager.default.removeItem(atPath: zoneFile)
    }
}
