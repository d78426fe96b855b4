// Ported from Sisimai 4.25.15 (Sisimai::SMTP::Status, StandardCode), BSD-2-Clause,
// Copyright (C) 2014-2021 azumakuniyuki: the reason each RFC 3463 enhanced status code
// names (RFC 3463, RFC 5248 registry, RFC 7505 for null MX).

/// The reason an enhanced status code names by itself, before the wording is read.
enum BounceReasonStatusTable {
    /// The reason of `status`, or `nil` when the code alone says nothing specific (x.0.0,
    /// unregistered details).
    static func reason(of status: EnhancedStatusCode?) -> BounceReason? {
        guard let status else { return nil }
        return table[Key(status.statusClass, status.subject, status.detail)]
    }

    struct Key: Hashable {
        var statusClass, subject, detail: Int
        init(_ statusClass: Int, _ subject: Int, _ detail: Int) {
            self.statusClass = statusClass
            self.subject = subject
            self.detail = detail
        }
    }

    static let table: [Key: BounceReason] = {
        var table: [Key: BounceReason] = [:]
        for (code, reason) in codes {
            let fields = code.split(separator: ".").compactMap { Int($0) }
            table[Key(fields[0], fields[1], fields[2])] = reason
        }
        return table
    }()

    private static let codes: [(String, BounceReason)] = [
        ("2.1.5", .delivered),
        ("4.1.6", .hasmoved), ("4.1.7", .rejected), ("4.1.8", .rejected), ("4.1.9", .systemerror),
        ("4.2.1", .suspend), ("4.2.2", .mailboxfull), ("4.2.3", .exceedlimit), ("4.2.4", .filtered),
        ("4.3.1", .systemfull), ("4.3.2", .notaccept), ("4.3.3", .systemerror), ("4.3.5", .systemerror),
        ("4.4.1", .expired), ("4.4.2", .networkerror), ("4.4.4", .networkerror), ("4.4.5", .systemfull),
        ("4.4.6", .networkerror), ("4.4.7", .expired), ("4.5.3", .systemerror), ("4.5.5", .systemerror),
        ("4.6.0", .contenterror), ("4.6.2", .contenterror), ("4.6.5", .contenterror),
        ("4.7.1", .blocked), ("4.7.2", .blocked), ("4.7.5", .securityerror), ("4.7.6", .securityerror),
        ("4.7.7", .securityerror), ("4.7.12", .securityerror), ("4.7.15", .securityerror), ("4.7.16", .mesgtoobig),
        ("4.7.24", .securityerror), ("4.7.25", .blocked),
        ("5.1.0", .userunknown), ("5.1.1", .userunknown), ("5.1.2", .hostunknown), ("5.1.3", .userunknown),
        ("5.1.4", .filtered), ("5.1.6", .hasmoved), ("5.1.7", .rejected), ("5.1.8", .rejected), ("5.1.9", .systemerror),
        ("5.1.10", .notaccept),
        ("5.2.0", .filtered), ("5.2.1", .filtered), ("5.2.2", .mailboxfull), ("5.2.3", .exceedlimit), ("5.2.4", .filtered),
        ("5.3.0", .systemerror), ("5.3.1", .systemfull), ("5.3.2", .notaccept), ("5.3.3", .systemerror),
        ("5.3.4", .mesgtoobig), ("5.3.5", .systemerror),
        ("5.4.0", .networkerror), ("5.4.3", .systemerror), ("5.4.4", .hostunknown),
        ("5.5.3", .toomanyconn), ("5.5.4", .systemerror), ("5.5.5", .systemerror), ("5.5.6", .securityerror),
        ("5.6.0", .contenterror), ("5.6.1", .contenterror), ("5.6.2", .contenterror), ("5.6.3", .contenterror),
        ("5.6.5", .contenterror), ("5.6.6", .contenterror), ("5.6.7", .contenterror), ("5.6.8", .contenterror),
        ("5.6.9", .contenterror),
        ("5.7.0", .securityerror), ("5.7.1", .securityerror), ("5.7.2", .securityerror), ("5.7.3", .securityerror),
        ("5.7.4", .securityerror), ("5.7.5", .securityerror), ("5.7.6", .securityerror), ("5.7.7", .securityerror),
        ("5.7.8", .securityerror), ("5.7.9", .securityerror), ("5.7.10", .securityerror), ("5.7.11", .securityerror),
        ("5.7.13", .suspend), ("5.7.14", .securityerror), ("5.7.15", .securityerror), ("5.7.16", .mesgtoobig),
        ("5.7.17", .hasmoved), ("5.7.18", .hasmoved), ("5.7.19", .securityerror), ("5.7.20", .securityerror),
        ("5.7.21", .securityerror), ("5.7.22", .securityerror), ("5.7.23", .securityerror), ("5.7.24", .securityerror),
        ("5.7.25", .blocked), ("5.7.26", .securityerror), ("5.7.27", .notaccept),
    ]
}
