#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 network as SPF's `ip4:`/`ip6:` mechanisms and `[dmarc] relay-spf` write
/// it: an address with an optional `/prefix` (a lone address is a /32 or /128).
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    /// 4 octets (IPv4) or 16 (IPv6).
    public let octets: [UInt8]
    public let prefix: Int

    /// Parses `ADDRESS[/PREFIX]`; `family` 4 or 6 restricts it to one family. Nil when it is not one.
    public init?(_ text: String, family: Int? = nil) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let address = String(parts[0])
        let octets: [UInt8]
        if family != 6, let v4 = Self.octets(address, family: AF_INET, size: 4) {
            octets = v4
        } else if family != 4, let v6 = Self.octets(address, family: AF_INET6, size: 16) {
            octets = v6
        } else {
            return nil
        }
        let bits = octets.count * 8
        if parts.count == 2 {
            guard let prefix = Int(parts[1]), (0...bits).contains(prefix) else { return nil }
            self.prefix = prefix
        } else {
            prefix = bits
        }
        self.octets = octets
    }

    /// Whether every address of `other` lies in this network.
    public func contains(_ other: IPNetwork) -> Bool {
        guard other.octets.count == octets.count, other.prefix >= prefix else { return false }
        var remaining = prefix
        for (mine, theirs) in zip(octets, other.octets) where remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            if mine & mask != theirs & mask { return false }
            remaining -= 8
        }
        return true
    }

    public var description: String {
        var buffer = [CChar](repeating: 0, count: 64)
        let family = octets.count == 4 ? AF_INET : AF_INET6
        let converted = octets.withUnsafeBytes { raw in inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) != nil }
        let text = converted ? buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } : "?"
        return prefix == octets.count * 8 ? text : "\(text)/\(prefix)"
    }

    private static func octets(_ text: String, family: Int32, size: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: size)
        let parsed = bytes.withUnsafeMutableBytes { inet_pton(family, text, $0.baseAddress) }
        return parsed == 1 ? bytes : nil
    }
}
