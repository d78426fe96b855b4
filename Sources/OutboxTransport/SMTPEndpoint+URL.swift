extension SMTPEndpoint {
    /// The libcurl URL, `smtp[s]://host:port/ehlo.name` (libcurl takes the path as the
    /// EHLO name). Throws when the host, port or EHLO name cannot be put in a URL safely.
    func curlURL() throws(SMTPSessionError) -> String {
        guard (1...65535).contains(port) else {
            throw SMTPSessionError(.invalidEndpoint, "port \(port) is not between 1 and 65535")
        }
        let hostAllowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:_")
        guard !host.isEmpty, host.allSatisfy(hostAllowed.contains) else {
            throw SMTPSessionError(.invalidEndpoint, "host '\(host)' is not a host name or IP address")
        }
        let nameAllowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_")
        let literal = ehloName.hasPrefix("[") && ehloName.hasSuffix("]")
        let bare = literal ? String(ehloName.dropFirst().dropLast()) : ehloName
        guard !bare.isEmpty, bare.allSatisfy({ nameAllowed.contains($0) || (literal && $0 == ":") }) else {
            throw SMTPSessionError(.invalidEndpoint, "EHLO name '\(ehloName)' is not a domain or address literal")
        }
        let path = literal ? "%5B" + bare.replacingColons() + "%5D" : bare
        let scheme = tls == .implicitTLS ? "smtps" : "smtp"
        let urlHost = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(urlHost):\(port)/\(path)"
    }
}

extension SMTPEndpoint {
    /// The CURLOPT_INTERFACE value binding the source address (`host!ADDRESS`), if any.
    func curlInterface() throws(SMTPSessionError) -> String? {
        guard let sourceAddress else { return nil }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:")
        guard !sourceAddress.isEmpty, sourceAddress.allSatisfy(allowed.contains) else {
            throw SMTPSessionError(.invalidEndpoint, "source address '\(sourceAddress)' is not an IP address or host name")
        }
        return "host!\(sourceAddress)"
    }
}

extension String {
    fileprivate func replacingColons() -> String {
        var out = ""
        for character in self { out += character == ":" ? "%3A" : String(character) }
        return out
    }
}
