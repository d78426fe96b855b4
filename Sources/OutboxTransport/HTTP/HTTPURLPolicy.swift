import Foundation

/// Which URLs the HTTP client talks to: `https://` anywhere, plain `http://` only to a
/// loopback address (127.0.0.0/8, `[::1]`, `localhost`), so no token or message crosses a
/// network unencrypted — unless the operator allowed plain http for that one URL.
public enum HTTPURLPolicy {
    /// Nil when `url` may be used, else the reason it may not. `allowingPlainHTTP`: an
    /// operator's explicit choice (a webhook to a receiver on the company's own network).
    public static func problem(with url: String, allowingPlainHTTP: Bool = false) -> String? {
        let lower = url.lowercased()
        if lower.hasPrefix("https://") { return host(of: url).isEmpty ? "URL \(url) has no host" : nil }
        guard lower.hasPrefix("http://") else { return "URL \(url) must start with https://" }
        let host = host(of: url).lowercased()
        guard isLoopback(host) || (allowingPlainHTTP && !host.isEmpty) else {
            return "URL \(url) uses plain http to a host that is not loopback; use https://"
        }
        return nil
    }

    /// True for `localhost`, `127.x.y.z` and `::1`.
    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" || host == "[::1]" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// The host of an absolute URL: after `scheme://` and any `user@`, before port or path.
    static func host(of url: String) -> String {
        guard let start = url.range(of: "://")?.upperBound else { return "" }
        var authority = url[start...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        if authority.hasPrefix("[") {
            return authority.firstIndex(of: "]").map { String(authority[...$0]) } ?? String(authority)
        }
        return String(authority.prefix { $0 != ":" })
    }
}
