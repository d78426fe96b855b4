import Foundation

/// A DNS server to ask instead of those in /etc/resolv.conf (`[dns] resolver`): an IPv4
/// address and a port (53 unless given), e.g. `127.0.0.1:5353` for a local resolver or a test.
public struct DNSServerAddress: Sendable, Hashable, CustomStringConvertible {
    public let host: String
    public let port: Int

    /// Parses `ADDRESS` or `ADDRESS:PORT`; nil when the address is not IPv4 or the port not 1–65535.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return nil }
        var address = in_addr()
        guard inet_pton(AF_INET, String(parts[0]), &address) == 1 else { return nil }
        host = String(parts[0])
        if parts.count == 2 {
            guard let port = Int(parts[1]), (1...65_535).contains(port) else { return nil }
            self.port = port
        } else {
            port = 53
        }
    }

    public var description: String { "\(host):\(port)" }
}
