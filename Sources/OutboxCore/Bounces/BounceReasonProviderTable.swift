// Ported from Sisimai 4.25.15 (Sisimai::Rhost and Sisimai::Rhost::*), BSD-2-Clause,
// Copyright (C) 2014-2021 azumakuniyuki: how large receivers word each reason, keyed by
// the receiving host (the Remote-MTA, or else the recipient's domain).

/// Provider-specific reason tables: Google, Exchange Online, Orange/La Poste, GoDaddy,
/// Cox, Spectrum, KDDI, NTT Docomo, Mimecast, Tencent QQ, I.UA.
enum BounceReasonProviderTable {
    enum Provider: CaseIterable {
        case cox, exchangeOnline, francePTT, goDaddy, google, iua, kddi, mimecast, nttDocomo, spectrum, tencent
    }

    /// The provider whose receiving host `host` is (lowercased).
    static func provider(host: String) -> Provider? {
        let host = host.lowercased()
        if host.contains("cox.net") { return .cox }
        if host.hasSuffix(".prod.outlook.com") || host.hasSuffix(".protection.outlook.com") { return .exchangeOnline }
        for domain in ["laposte.net", "orange.fr", "wanadoo.fr"] where host == domain || host.hasSuffix("." + domain) {
            return .francePTT
        }
        if host == "smtp.secureserver.net" || host == "mailstore1.secureserver.net" { return .goDaddy }
        if host.hasSuffix("aspmx.l.google.com") || host.hasSuffix("gmail-smtp-in.l.google.com") { return .google }
        if host.hasSuffix(".email.ua") { return .iua }
        if ["ezweb.ne.jp", "au.com"].contains(where: { host == $0 || host.hasSuffix("." + $0) }) { return .kddi }
        if host.hasSuffix(".mimecast.com") { return .mimecast }
        if host.hasSuffix("mfsmax.docomo.ne.jp") { return .nttDocomo }
        if host.contains("charter.net") { return .spectrum }
        if host.hasSuffix(".qq.com") {
            // `mxN.qq.com`, `…mxN.qq.com`
            let label = host.dropLast(7).split(separator: ".").last ?? ""
            let digits = label.reversed().prefix { $0.isNumber }.count
            if digits > 0, label.dropLast(digits).hasSuffix("mx") { return .tencent }
        }
        return nil
    }

    /// The reason `provider` gives this failure, or `nil` when its tables say nothing.
    static func reason(_ provider: Provider, _ input: BounceReasonInput) -> BounceReason? {
        switch provider {
        case .google: return google(input)
        case .exchangeOnline: return exchangeOnline(input)
        case .francePTT: return francePTT(input)
        case .goDaddy: return goDaddy(input)
        case .cox: return cox(input)
        case .spectrum: return spectrum(input)
        case .kddi: return kddi(input)
        case .nttDocomo: return nttDocomo(input)
        case .mimecast: return mimecast(input)
        case .tencent: return first(in: tencentPhrases, input.text)
        case .iua: return iua(input)
        }
    }

    private static func first(in table: [(String, BounceReason)], _ text: [UInt8]) -> BounceReason? {
        table.first { BounceReasonPattern.find(Array($0.0.utf8), in: text) != nil }?.1
    }

    // MARK: Google (Gmail, Google Workspace): reply, status and wording together.

    static func google(_ input: BounceReasonInput) -> BounceReason? {
        guard let reply = input.replyCode, let status = input.status, !input.text.isEmpty else { return nil }
        for entry in googleMessages
        where entry.reply % 100 == reply % 100 && entry.subject == status.subject && entry.detail == status.detail
            && entry.phrase.matches(input.text)
        {
            return entry.reason
        }
        return nil
    }

    struct GoogleMessage {
        var reply: Int, subject: Int, detail: Int
        var phrase: BounceReasonPattern
        var reason: BounceReason
        init(_ reason: BounceReason, _ reply: Int, _ status: String, _ phrase: String) {
            let fields = status.split(separator: ".").compactMap { Int($0) }
            self.reason = reason
            self.reply = reply
            subject = fields[1]
            detail = fields[2]
            self.phrase = BounceReasonPattern(phrase.lowercased())
        }
    }

    static let googleMessages: [GoogleMessage] = [
        .init(.blocked, 421, "4.7.0", "ip not in whitelist for rcpt domain, closing connection."),
        .init(.blocked, 421, "4.7.0", "our system has detected an unusual rate of unsolicited mail originating from your ip address"),
        .init(.blocked, 421, "4.7.0", "try again later, closing connection."),
        .init(.blocked, 501, "5.5.4", "helo/ehlo argument is invalid"),
        .init(.blocked, 550, "5.7.1", "our system has detected an unusual rate of unsolicited mail originating from your ip address"),
        .init(.blocked, 550, "5.7.1", "the ip you're using to send mail is not authorized to send email directly to our servers"),
        .init(.blocked, 550, "5.7.25", "the ip address sending this message does not have a ptr record setup"),
        .init(.blocked, 550, "5.7.26", "is not accepted due to domain's dmarc policy"),
        .init(.blocked, 550, "5.7.1", "fails to pass authentication checks"),
        .init(.blocked, 550, "5.7.26", "fails to pass authentication checks"),
        .init(.blocked, 550, "5.7.26", "this message fails to pass spf checks for an spf record with a hard fail"),
        .init(.blocked, 550, "5.7.1", "this message is likely suspicious due to the very low reputation of the sending ip address"),
        .init(.contenterror, 554, "5.6.0", "mail message is malformed. not accepted"),
        .init(.exceedlimit, 552, "5.2.3", "your message exceeded google's message size limits"),
        .init(.expired, 451, "4.4.2", "timeout - closing connection"),
        .init(.mailboxfull, 452, "4.2.2", "the email account that you tried to reach is over quota"),
        .init(.mailboxfull, 552, "5.2.2", "the email account that you tried to reach is over quota"),
        .init(.mailboxfull, 550, "5.7.1", "email quota exceeded"),
        .init(.networkerror, 554, "5.6.0", "message exceeded 50 hops, this may indicate a mail loop"),
        .init(.norelaying, 550, "5.7.0", "mail relay denied"),
        .init(.policyviolation, 550, "5.7.1", "messages with multiple addresses in from: header are not accepted"),
        .init(.policyviolation, 550, "5.7.1", "the user or domain that you are sending to (or from) has a policy that prohibited"),
        .init(.policyviolation, 552, "5.7.0", "our system detected an illegal attachment on your message"),
        .init(.policyviolation, 552, "5.7.0", "this message was blocked because its content presents a potential security issue"),
        .init(.rejected, 550, "5.7.0", "mail sending denied"),
        .init(.rejected, 550, "5.7.1", "unauthenticated email is not accepted from this domain"),
        .init(.securityerror, 421, "4.7.0", "tls required for rcpt domain, closing connection"),
        .init(.securityerror, 501, "5.5.2", "cannot decode response"),
        .init(.securityerror, 530, "5.5.1", "authentication required."),
        .init(.securityerror, 535, "5.7.1", "application-specific password required"),
        .init(.securityerror, 535, "5.7.1", "please log in with your web browser and then try again"),
        .init(.securityerror, 535, "5.7.1", "username and password not accepted"),
        .init(.securityerror, 550, "5.7.1", "invalid credentials for relay"),
        .init(.spamdetected, 550, "5.7.1", "our system has detected that this message is likely unsolicited mail"),
        .init(.suspend, 550, "5.2.1", "the email account that you tried to reach is disabled"),
        .init(.syntaxerror, 451, "4.5.0", "smtp protocol violation, visit rfc 2821"),
        .init(.syntaxerror, 454, "4.5.0", "smtp protocol violation, no commands allowed to pipeline after starttls"),
        .init(.syntaxerror, 454, "5.5.1", "starttls may not be repeated"),
        .init(.syntaxerror, 502, "5.5.1", "too many unrecognized commands, goodbye"),
        .init(.syntaxerror, 502, "5.5.1", "unimplemented command"),
        .init(.syntaxerror, 502, "5.5.1", "unrecognized command"),
        .init(.syntaxerror, 503, "5.5.1", "ehlo/helo first"),
        .init(.syntaxerror, 503, "5.5.1", "mail first"),
        .init(.syntaxerror, 503, "5.5.1", "rcpt first"),
        .init(.syntaxerror, 503, "5.7.0", "no identity changes permitted"),
        .init(.syntaxerror, 504, "5.7.4", "unrecognized authentication type"),
        .init(.syntaxerror, 530, "5.7.0", "must issue a starttls command first"),
        .init(.syntaxerror, 535, "5.5.4", "optional argument not permitted for that auth mode"),
        .init(.syntaxerror, 554, "5.7.0", "too many unauthenticated commands"),
        .init(.syntaxerror, 555, "5.5.2", "syntax error"),
        .init(.systemerror, 421, "4.3.0", "temporary system problem"),
        .init(.systemerror, 421, "4.7.0", "temporary system problem"),
        .init(.systemerror, 421, "4.4.5", "server busy"),
        .init(.systemerror, 451, "4.3.0", "mail server temporarily rejected message"),
        .init(.systemerror, 454, "4.7.0", "cannot authenticate due to temporary system problem"),
        .init(.systemerror, 452, "4.5.3", "domain policy size per transaction exceeded"),
        .init(.toomanyconn, 451, "4.3.0", "multiple destination domains per transaction is unsupported"),
        .init(.toomanyconn, 452, "4.5.3", "your message has too many recipients"),
        .init(.toomanyconn, 450, "4.2.1", "is receiving mail too quickly"),
        .init(.toomanyconn, 450, "4.2.1", "is receiving mail at a rate that prevents additional messages from being delivered"),
        .init(.toomanyconn, 550, "5.2.1", "is receiving mail at a rate that prevents additional messages from being delivered"),
        .init(.toomanyconn, 450, "4.2.1", "peak smtp relay limit exceeded for customer"),
        .init(.toomanyconn, 550, "5.4.5", "daily smtp relay limit exceeded for user"),
        .init(.toomanyconn, 550, "5.4.5", "daily sending quota exceeded"),
        .init(.toomanyconn, 550, "5.7.1", "daily smtp relay limit exceeded for customer"),
        .init(.userunknown, 550, "5.1.1", "the email account that you tried to reach does not exist"),
        .init(.userunknown, 553, "5.1.2", "we weren't able to find the recipient domain"),
    ]

    // MARK: Exchange Online (Microsoft 365): status (or a range of details) and wording.

    static func exchangeOnline(_ input: BounceReasonInput) -> BounceReason? {
        guard let status = input.status, !input.text.isEmpty else { return nil }
        for entry in exchangeOnlineMessages
        where entry.statusClass == status.statusClass && entry.subject == status.subject
            && entry.details.contains(status.detail) && entry.phrase.matches(input.text)
        {
            return entry.reason
        }
        return nil
    }

    struct ExchangeOnlineMessage {
        var statusClass: Int, subject: Int
        var details: ClosedRange<Int>
        var phrase: BounceReasonPattern
        var reason: BounceReason
        /// `status` is `c.s.d` for one code, or `c.s.` with a range of details.
        init(_ reason: BounceReason, _ status: String, _ low: Int, _ high: Int, _ phrase: String) {
            let fields = status.split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
            self.reason = reason
            statusClass = fields[0] ?? 0
            subject = fields[1] ?? 0
            details = low == high ? (fields[2] ?? 0)...(fields[2] ?? 0) : low...high
            self.phrase = BounceReasonPattern(phrase.lowercased())
        }
    }

    static let exchangeOnlineMessages: [ExchangeOnlineMessage] = [
        .init(.blocked, "4.4.2", 0, 0, "connection dropped"),
        .init(.blocked, "4.7.", 850, 899, "access denied, please try again later"),
        .init(.blocked, "5.7.25", 0, 0, "must have a reverse dns record"),
        .init(.blocked, "5.7.506", 0, 0, "access denied, bad helo"),
        .init(.blocked, "5.7.507", 0, 0, "access denied, rejected by recipient"),
        .init(.blocked, "5.7.510", 0, 0, "does not accept email over ipv6"),
        .init(.blocked, "5.7.511", 0, 0, "access denied, banned sender"),
        .init(.blocked, "5.7.513", 0, 0, "using customer block list"),
        .init(.blocked, "5.7.", 606, 649, "access denied, banned sending ip "),
        .init(.blocked, "4.7.", 500, 699, "access denied, please try again later"),
        .init(.blocked, "5.5.4", 0, 0, "invalid domain name"),
        .init(.blocked, "5.7.51", 0, 0, "restrictdomainstoipaddresses or restrictdomainstocertificate"),
        .init(.blocked, "5.7.1", 0, 0, "part of their network is on our block list (s3150)"),
        .init(.blocked, "4.7.26", 0, 0, "must pass either spf or dkim validation, this message is not signed"),
        .init(.blocked, "4.7.323", 0, 0, "tlsa-invalid: the domain failed dane validation"),
        .init(.blocked, "5.7.323", 0, 0, "tlsa-invalid: the domain failed dane validation"),
        .init(.blocked, "4.7.324", 0, 0, "dnssec-invalid: destination domain returned invalid dnssec records"),
        .init(.blocked, "5.7.324", 0, 0, "dnssec-invalid: destination domain returned invalid dnssec records"),
        .init(.blocked, "4.7.325", 0, 0, "certificate-host-mismatch: remote certificate must have a common name or subject alternative name matching the hostname (dane)"),
        .init(.blocked, "5.7.325", 0, 0, "certificate-host-mismatch: remote certificate must have a common name or subject alternative name matching the hostname (dane)"),
        .init(.blocked, "5.7.23", 0, 0, "the message was rejected because of sender policy framework violation"),
        .init(.blocked, "5.7.322", 0, 0, "certificate-expired: destination mail server's certificate is expired"),
        .init(.blocked, "5.7.509", 0, 0, "does not pass dmarc verification"),
        .init(.blocked, "4.7.650", 0, 0, "has been temporarily rate limited due to ip reputation"),
        .init(.contenterror, "5.3.0", 0, 0, "too many related errors"),
        .init(.contenterror, "5.6.11", 0, 0, "invalid characters"),
        .init(.contenterror, "5.4.11", 0, 0, "agent generated message depth exceeded"),
        .init(.contenterror, "5.5.6", 0, 0, "invalid message content"),
        .init(.exceedlimit, "5.2.3", 0, 0, "resolver.rst.recipsizelimit; message too large for this recipient"),
        .init(.expired, "4.4.1", 0, 0, "connection timed out"),
        .init(.expired, "4.4.7", 0, 0, "message delayed"),
        .init(.expired, "4.4.7", 0, 0, "queue expired; message expired"),
        .init(.expired, "4.4.7", 0, 0, "message expired"),
        .init(.expired, "5.4.300", 0, 0, "message expired"),
        .init(.mailboxfull, "5.2.2", 0, 0, "mailbox full"),
        .init(.mesgtoobig, "5.3.4", 0, 0, "message size exceeds fixed maximum message size"),
        .init(.mesgtoobig, "5.3.4", 0, 0, "message too big for system"),
        .init(.networkerror, "5.4.4", 0, 0, "smtpsend.dns.nonexistentdomain; nonexistent domain"),
        .init(.networkerror, "5.4.6", 0, 0, "hop count exceeded - possible mail loop"),
        .init(.networkerror, "4.4.316", 0, 0, "connection refused"),
        .init(.networkerror, "5.4.4", 0, 0, "invalid arguments"),
        .init(.networkerror, "5.4.6", 0, 0, "routing loop detected"),
        .init(.networkerror, "5.4.14", 0, 0, "routing loop detected"),
        .init(.norelaying, "5.7.1", 0, 0, "unable to relay"),
        .init(.norelaying, "5.7.1", 0, 0, "client was not authenticated"),
        .init(.norelaying, "5.4.1", 0, 0, "relay access denied"),
        .init(.norelaying, "5.7.64", 0, 0, "tenantattribution; relay access denied"),
        .init(.norelaying, "5.4.310", 0, 0, "does not exist"),
        .init(.notaccept, "4.3.2", 0, 0, "system not accepting network messages"),
        .init(.notaccept, "5.3.2", 0, 0, "storedrv.deliver: missing or bad storedriver mdb properties"),
        .init(.policyviolation, "5.0.350", 0, 0, "x-dg-ref header is too long"),
        .init(.policyviolation, "5.0.350", 0, 0, "requested action not taken: policy violation detected (as345)"),
        .init(.policyviolation, "5.7.", 900, 999, "delivery not authorized, message refused"),
        .init(.rejected, "5.1.7", 0, 0, "invalid address"),
        .init(.rejected, "5.1.7", 0, 0, "unknown sender address"),
        .init(.rejected, "5.1.0", 0, 0, "sender denied"),
        .init(.rejected, "5.1.8", 0, 0, "access denied, bad outbound sender"),
        .init(.rejected, "5.7.1", 0, 0, "delivery not authorized"),
        .init(.rejected, "5.7.12", 0, 0, "sender was not authenticated by organization"),
        .init(.rejected, "5.7.124", 0, 0, "sender not in allowed-senders list"),
        .init(.rejected, "5.7.133", 0, 0, "sender not authenticated for group"),
        .init(.rejected, "5.7.134", 0, 0, "sender was not authenticated for mailbox"),
        .init(.rejected, "5.7.13", 0, 0, "sender was not authenticated for public folder"),
        .init(.rejected, "5.7.135", 0, 0, "sender was not authenticated for public folder"),
        .init(.rejected, "5.7.136", 0, 0, "sender was not authenticated"),
        .init(.rejected, "5.7.", 501, 503, "access denied, spam abuse detected"),
        .init(.rejected, "5.7.512", 0, 0, "access denied, message must be rfc 5322 section 3.6.2 compliant"),
        .init(.rejected, "5.7.750", 0, 0, "service unavailable. client blocked from sending from unregistered domains"),
        .init(.rejected, "5.7.", 501, 503, "access denied, banned sender"),
        .init(.securityerror, "5.7.3", 0, 0, "cannot achieve exchange server authentication"),
        .init(.securityerror, "5.7.3", 0, 0, "not authorized"),
        .init(.securityerror, "4.7.321", 0, 0, "starttls-not-supported: destination mail server must support tls to receive mail"),
        .init(.securityerror, "5.7.321", 0, 0, "starttls-not-supported: destination mail server must support tls to receive mail"),
        .init(.securityerror, "5.7.57", 0, 0, "client was not authenticated to send anonymous mail during mail from"),
        .init(.spamdetected, "5.2.1", 0, 0, "content filter agent quarantined this message"),
        .init(.suspend, "5.7.504", 0, 0, "recipient address rejected: access denied"),
        .init(.suspend, "5.7.505", 0, 0, "access denied, banned recipient"),
        .init(.suspend, "5.2.1", 0, 0, "mailbox cannot be accessed"),
        .init(.syntaxerror, "5.3.3", 0, 0, "unrecognized command"),
        .init(.syntaxerror, "5.5.2", 0, 0, "send hello first"),
        .init(.systemerror, "4.3.2", 0, 0, "service not available"),
        .init(.systemerror, "4.3.2", 0, 0, "service not active"),
        .init(.systemerror, "5.3.5", 0, 0, "system incorrectly configured"),
        .init(.systemerror, "5.3.190", 0, 0, "journaling on-premises messages to microsoft 365 or office 365 not supported when journaling archive is disabled"),
        .init(.systemerror, "5.0.0", 0, 0, "helo / ehlo requires domain address"),
        .init(.systemerror, "5.1.4", 0, 0, "destination mailbox address ambiguous"),
        .init(.systemerror, "5.2.4", 0, 0, "mailing list expansion problem"),
        .init(.systemerror, "5.2.14", 0, 0, "misconfigured forwarding address"),
        .init(.systemerror, "4.4.3", 0, 0, "temporary server error. please try again later attr18"),
        .init(.systemerror, "4.7.0", 0, 0, "temporary server error. please try again later. prx4 nexthop:"),
        .init(.systemerror, "4.4.24", 0, 0, "message failed to be replicated: insufficient system resource:"),
        .init(.systemerror, "4.4.25", 0, 0, "message failed to be replicated: no healthy secondary server available to accept replica at this time."),
        .init(.systemerror, "4.4.28", 0, 0, "message failed to be replicated: the operation was canceled"),
        .init(.systemerror, "4.7.500", 0, 0, "server busy. please try again later from "),
        .init(.systemerror, "4.7.700", 0, 0, "pfa agent busy, please try again."),
        .init(.systemfull, "4.3.1", 0, 0, "insufficient system resources"),
        .init(.toomanyconn, "5.5.3", 0, 0, "too many recipients"),
        .init(.toomanyconn, "4.5.3", 0, 0, "too many recipients"),
        .init(.toomanyconn, "5.2.122", 0, 0, "the recipient has exceeded their limit for"),
        .init(.toomanyconn, "4.3.2", 0, 0, "storedrv.deliver; recipient thread limit exceeded"),
        .init(.toomanyconn, "5.1.90", 0, 0, "your message can't be sent because you've reached your daily limit for message recipients"),
        .init(.toomanyconn, "5.2.2", 0, 0, "submission quota exceeded"),
        .init(.toomanyconn, "5.2.121", 0, 0, "recipient's per hour message receive limit from specific sender exceeded"),
        .init(.toomanyconn, "5.2.122", 0, 0, "recipient's per hour message receive limit exceeded"),
        .init(.toomanyconn, "5.7.508", 0, 0, "has exceeded permitted limits within"),
        .init(.toomanyconn, "5.7.", 700, 749, "access denied, tenant has exceeded threshold"),
        .init(.toomanyconn, "5.7.", 700, 749, "access denied, traffic not accepted from this ip"),
        .init(.userunknown, "5.1.1", 0, 0, "resolver.adr.exrecipnotfound; not found"),
        .init(.userunknown, "5.1.1", 0, 0, "user unknown"),
        .init(.userunknown, "5.1.3", 0, 0, "storedrv.submit; invalid recipient address"),
        .init(.userunknown, "5.1.", 4, 5, "recipient address reserved by rfc 2606"),
        .init(.userunknown, "5.1.6", 0, 0, "recipient addresses in single label domains not accepted"),
        .init(.userunknown, "5.1.1", 0, 0, "bad destination mailbox address"),
        .init(.userunknown, "5.1.10", 0, 0, "recipient not found"),
        .init(.userunknown, "5.4.1", 0, 0, "recipient address rejected: access denied"),
        .init(.userunknown, "5.5.0", 0, 0, "requested action not taken: mailbox unavailable"),
        .init(.userunknown, "5.1.2", 0, 0, "invalid x.400 address"),
    ]

    // MARK: Orange, Wanadoo, La Poste: the code in `LPN007_416`, `OFR_999`, `OUK_…`.

    static func francePTT(_ input: BounceReasonInput) -> BounceReason? {
        let text = input.text
        for prefix in ["lpnaaa", "lpn", "ofr", "ouk"] {
            let needle = Array(prefix.utf8)
            var from = 0
            while let hit = BounceReasonPattern.find(needle, in: text, from: from) {
                from = hit + 1
                if hit > 0, isWordByte(text[hit - 1]) { continue }
                var index = hit + needle.count
                var digits: [UInt8] = []
                // `_NNN` or `NNN_NNN` / `NNN-NNN`: the last three digits are the code.
                if index < text.count, text[index] == UInt8(ascii: "_") {
                    index += 1
                    while index < text.count, isDigit(text[index]), digits.count < 4 { digits.append(text[index]); index += 1 }
                    guard digits.count == 3 else { continue }
                } else {
                    var head = 0
                    while index < text.count, isDigit(text[index]), head < 4 { head += 1; index += 1 }
                    guard head == 3, index < text.count, text[index] == UInt8(ascii: "_") || text[index] == UInt8(ascii: "-")
                    else { continue }
                    index += 1
                    while index < text.count, isDigit(text[index]), digits.count < 4 { digits.append(text[index]); index += 1 }
                    guard digits.count == 3 else { continue }
                }
                if index < text.count, isWordByte(text[index]) { continue }
                let code = Int(String(decoding: digits, as: UTF8.self)) ?? 0
                return francePTTCodes[code] ?? .undefined
            }
        }
        return nil
    }

    static let francePTTCodes: [Int: BounceReason] = [
        101: .blocked, 102: .blocked, 103: .blocked, 104: .toomanyconn, 305: .securityerror, 401: .blocked,
        402: .securityerror, 403: .rejected, 405: .rejected, 415: .rejected, 416: .userunknown, 417: .mailboxfull,
        418: .userunknown, 420: .suspend, 421: .rejected, 426: .suspend, 505: .systemerror, 506: .spamdetected,
        510: .blocked, 514: .mesgtoobig, 517: .policyviolation, 630: .policyviolation, 999: .blocked,
    ]

    // MARK: GoDaddy: `IBnnn` codes, else wording (case as written).

    static func goDaddy(_ input: BounceReasonInput) -> BounceReason? {
        let text = input.text
        var from = 0
        while let hit = BounceReasonPattern.find(Array(" ib".utf8), in: text, from: from) {
            from = hit + 1
            let digits = text[(hit + 3)...].prefix { isDigit($0) }
            guard digits.count == 3 else { continue }
            let end = hit + 6
            if end < text.count, isWordByte(text[end]) { continue }
            return goDaddyCodes[Int(String(decoding: digits, as: UTF8.self)) ?? 0]
        }
        return first(in: goDaddyPhrases, text)
    }

    static let goDaddyCodes: [Int: BounceReason] = [
        103: .blocked, 104: .blocked, 105: .blocked, 106: .blocked, 7: .toomanyconn, 101: .expired, 108: .blocked,
        110: .blocked, 111: .blocked, 112: .blocked, 113: .blocked, 212: .spamdetected, 401: .securityerror,
        501: .rejected, 502: .rejected, 504: .toomanyconn, 506: .rejected, 508: .rejected, 510: .toomanyconn,
        607: .toomanyconn, 705: .virusdetected,
    ]

    static let goDaddyPhrases: [(String, BounceReason)] = [
        ("www.spamhaus.org/query/bl?ip=", .blocked), ("554 rbl reject.", .blocked), ("delivery timeout", .expired),
        ("451 sorry, i wasn't able to establish an smtp connection.", .expired), ("account disabled", .suspend),
        ("account storage limit", .mailboxfull), ("account does not exist", .userunknown),
        ("550 recipient not found.", .userunknown),
    ]

    // MARK: Cox: `AUP#CODE`, else wording.

    static func cox(_ input: BounceReasonInput) -> BounceReason? {
        if let code = aupCode(input.text) {
            if let reason = coxCodes[code] { return reason }
        }
        return first(in: coxPhrases, input.text)
    }

    /// The token after `aup#` (lowercased letters and digits).
    static func aupCode(_ text: [UInt8]) -> String? {
        guard let hit = BounceReasonPattern.find(Array("aup#".utf8), in: text) else { return nil }
        let code = text[(hit + 4)...].prefix { isDigit($0) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == UInt8(ascii: "-") }
        return code.isEmpty ? nil : String(decoding: code, as: UTF8.self)
    }

    static let coxCodes: [String: BounceReason] = {
        var codes: [String: BounceReason] = [
            "cxbl": .blocked, "cxthrt": .securityerror, "cxmj": .securityerror, "cxdns": .blocked, "cxsndr": .rejected,
            "cxsmtp": .rejected, "cxcnct": .toomanyconn, "cxmxrt": .toomanyconn, "cdrbl": .blocked, "ipbl00001": .blocked,
            "urlbl011": .spamdetected, "urlbl101": .spamdetected, "urlbl110": .spamdetected, "urlbl1001": .spamdetected,
        ]
        for bits in ["0001", "0010", "0100", "0011", "0101", "0110", "0111", "1000", "1001", "1010", "1011", "1100",
            "1101", "1110", "1111"]
        {
            codes["ipbl" + bits] = .blocked
        }
        return codes
    }()

    static let coxPhrases: [(String, BounceReason)] = [
        ("rejected - no rdns", .blocked), ("cox too many bad commands from", .blocked),
        ("dns check failure - try again later", .blocked), ("too many invalid recipients", .blocked),
        ("esmtp server temporarily not available", .notaccept), ("esmtp no data before greeting", .policyviolation),
        ("attachment extension is forbidden", .policyviolation), ("sender rejected", .rejected),
        ("too many sessions from", .toomanyconn), ("requested action aborted: try again later", .toomanyconn),
        ("message threshold exceeded", .toomanyconn), ("recipient rejected", .userunknown),
    ]

    // MARK: Spectrum (Charter): `AUP#…NNNN`.

    static func spectrum(_ input: BounceReasonInput) -> BounceReason? {
        guard let token = aupCode(input.text) else { return nil }
        let digits = token.drop { !$0.isNumber }.prefix(4)
        guard digits.count == 4, let code = Int(digits) else { return nil }
        let exact: [Int: BounceReason] = [
            1000: .blocked, 1010: .rejected, 1090: .systemerror, 1260: .networkerror, 1500: .rejected, 1520: .rejected,
            1530: .mesgtoobig, 1540: .toomanyconn, 1550: .toomanyconn, 1560: .policyviolation,
        ]
        if let reason = exact[code] { return reason }
        let ranges: [(ClosedRange<Int>, BounceReason)] = [
            (1020...1080, .rejected), (1100...1150, .blocked), (1160...1190, .policyviolation), (1200...1210, .blocked),
            (1220...1250, .blocked), (1300...1340, .toomanyconn), (1350...1490, .toomanyconn),
        ]
        return ranges.first { $0.0.contains(code) }?.1
    }

    // MARK: KDDI (au): the receiving host's two wordings of "User unknown".

    static func kddi(_ input: BounceReasonInput) -> BounceReason? {
        first(in: [("550 : user unknown", .filtered), (">: user unknown", .userunknown)], input.text)
    }

    // MARK: NTT Docomo: status first, then wording, then the SMTP command.

    static func nttDocomo(_ input: BounceReasonInput) -> BounceReason? {
        if let status = input.status {
            if status.statusClass == 5, status.subject == 1, status.detail == 1 { return .userunknown }
            if status.statusClass == 5, status.subject == 2, status.detail == 0 { return .filtered }
        }
        if let reason = first(in: [("552 too much mail data", .mailboxfull), ("552 too many recipients", .toomanyconn),
            ("503 bad sequence of commands", .syntaxerror), ("504 command parameter not implemented", .syntaxerror)], input.text)
        {
            return reason
        }
        if let status = input.status, status.statusClass == 5, status.subject == 0, status.detail == 0 {
            if input.command == .rcpt { return .userunknown }
            if input.command == .data { return .rejected }
        }
        return nil
    }

    // MARK: Mimecast: reply code and wording.

    static func mimecast(_ input: BounceReasonInput) -> BounceReason? {
        guard let reply = input.replyCode else { return nil }
        return mimecastMessages.first { $0.0 == reply && BounceReasonPattern.find(Array($0.1.utf8), in: input.text) != nil }?.2
    }

    static let mimecastMessages: [(Int, String, BounceReason)] = [
        (421, "sender address blocked", .blocked), (451, "recipient temporarily unavailable", .blocked),
        (451, "ip temporarily blacklisted", .blocked), (451, "internal resources are temporarily unavailable", .blocked),
        (550, "local ct ip reputation - (reject)", .blocked), (550, "spf sender invalid - envelope rejected", .blocked),
        (550, "dkim sender invalid - envelope rejected", .blocked), (550, "dmarc sender invalid - envelope rejected", .blocked),
        (554, "maximum email size exceeded", .mesgtoobig), (554, "mail loop detected", .networkerror),
        (451, "open relay not allowed", .norelaying), (451, "account inbounds disabled", .notaccept),
        (451, "account outbounds disabled", .onhold), (451, "hostname is not authorized", .onhold),
        (550, "journal message past expiration", .onhold),
        (550, "anti-spoofing policy - inbound not allowed", .policyviolation),
        (550, "rejected by header-based anti-spoofing policy", .policyviolation),
        (550, "message bounced due to content examination policy", .policyviolation),
        (554, "host network not allowed", .policyviolation),
        (550, "administrative prohibition envelope blocked", .rejected), (550, "envelope blocked – user entry", .rejected),
        (550, "envelope blocked – user domain entry", .rejected),
        (550, "rejected by header-based manually blocked senders - block for manual block", .rejected),
        (550, "rejected by header-based blocked senders - block policy for header from", .rejected),
        (550, "envelope rejected - block policy for envelope from address", .rejected),
        (535, "incorrect authentication data", .securityerror), (550, "submitter failed to disabled", .securityerror),
        (553, "this route requires encryption (tls)", .securityerror),
        (553, "this route requires tls version 1.2 or greater", .securityerror),
        (553, "this route requires high-strength ciphers", .securityerror),
        (554, "configuration is invalid for this certificate", .securityerror),
        (451, "unable to process connection at this time", .systemerror), (451, "message ended early", .systemerror),
        (451, "unable to process command", .systemerror), (451, "unable to process an email at this time", .systemerror),
        (451, "account service is temporarily unavailable", .toomanyconn), (452, "too many recipients", .toomanyconn),
        (550, "exceeding outbound thread limit", .toomanyconn), (501, "invalid address", .userunknown),
        (503, "user unknown", .userunknown), (550, "invalid recipient", .userunknown),
        (554, "email rejected due to security policies", .virusdetected),
    ]

    // MARK: Tencent QQ

    static let tencentPhrases: [(String, BounceReason)] = [
        ("dmarc check failed", .blocked), ("spf check failed", .blocked), ("suspected spam ip", .blocked),
        ("mail is rejected by recipients", .filtered), ("message too large", .mesgtoobig),
        ("mail content denied", .spamdetected), ("spam is embedded in the email", .spamdetected),
        ("suspected spam", .spamdetected), ("bad address syntax", .syntaxerror), ("connection denied", .toomanyconn),
        ("connection frequency limited", .toomanyconn), ("domain frequency limited", .toomanyconn),
        ("ip frequency limited", .toomanyconn), ("sender frequency limited", .toomanyconn),
        ("mailbox unavailable or access denied", .toomanyconn), ("mailbox not found", .userunknown),
    ]

    // MARK: I.UA: `.i.ua/err/N` links.

    static func iua(_ input: BounceReasonInput) -> BounceReason? {
        guard let hit = BounceReasonPattern.find(Array(".i.ua/err/".utf8), in: input.text) else { return nil }
        let digits = input.text[(hit + 10)...].prefix { isDigit($0) }
        let codes: [Int: BounceReason] = [
            1: .norelaying, 2: .userunknown, 3: .suspend, 4: .mailboxfull, 5: .toomanyconn, 6: .norelaying, 7: .blocked,
            8: .rejected, 9: .blocked, 10: .filtered,
        ]
        return Int(String(decoding: digits, as: UTF8.self)).flatMap { codes[$0] }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    private static func isWordByte(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || byte == UInt8(ascii: "_")
    }
}
