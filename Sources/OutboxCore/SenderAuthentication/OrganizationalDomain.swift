/// The organisational domain of a DNS name (RFC 7489 §3.2), by a simple public-suffix rule
/// instead of the full Public Suffix List: the last two labels, or the last three when the
/// last two are a known second-level public suffix (``twoLabelSuffixes``: `co.uk`, `com.au`,
/// `com.ee`, …). A name under a suffix missing from that list (a private registry such as
/// `blogspot.com`) gets a too-short organisational domain: DMARC's fallback then asks one
/// level too high, which at worst finds no record.
public enum OrganizationalDomain {
    /// `domain`'s organisational domain, lower case, without a trailing dot.
    public static func of(_ domain: String) -> String {
        let labels = domain.lowercased().split(separator: ".").map(String.init)
        guard labels.count > 2 else { return labels.joined(separator: ".") }
        let keep = twoLabelSuffixes.contains(labels.suffix(2).joined(separator: ".")) ? 3 : 2
        return labels.suffix(keep).joined(separator: ".")
    }

    /// Whether `a` and `b` are aligned in DMARC's relaxed mode (the same organisational
    /// domain), or — `strict` — the same name.
    public static func aligned(_ a: String, _ b: String, strict: Bool) -> Bool {
        let a = a.lowercased().trimmingTrailingDot, b = b.lowercased().trimmingTrailingDot
        return strict ? a == b : of(a) == of(b)
    }

    /// Second-level public suffixes under which companies register (the common ones of the
    /// markets Outbox serves and of the big registries).
    static let twoLabelSuffixes: Set<String> = [
        "co.uk", "org.uk", "me.uk", "ltd.uk", "plc.uk", "net.uk", "ac.uk", "gov.uk",
        "com.au", "net.au", "org.au", "edu.au", "gov.au", "co.nz", "org.nz", "net.nz",
        "co.jp", "ne.jp", "or.jp", "co.kr", "com.cn", "net.cn", "org.cn", "com.hk", "com.sg", "com.tw",
        "co.in", "net.in", "org.in", "co.za", "org.za", "com.br", "net.br", "com.ar", "com.mx", "com.tr", "com.ua",
        "com.pl", "net.pl", "org.pl", "co.il", "co.at", "or.at",
        "com.ee", "pri.ee", "fie.ee", "med.ee", "org.ee",
        "com.lv", "org.lv", "id.lv", "net.lv", "com.lt", "org.lt",
    ]
}

extension String {
    var trimmingTrailingDot: String { hasSuffix(".") ? String(dropLast()) : self }
}
