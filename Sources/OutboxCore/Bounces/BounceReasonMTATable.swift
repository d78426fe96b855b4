// Ported from Sisimai 4.25.15 (Sisimai::Lhost::* fixed messages), BSD-2-Clause,
// Copyright (C) 2014-2021 azumakuniyuki: the texts mail servers and filters write in
// their own notices (not the remote server's reply), each naming a reason outright.

/// Reasons named by the reporting software's own wording: qmail, Exim, Courier,
/// OpenSMTPD, Exchange 2003/2007, Office 365, Domino/Notes, Gmail, Google Workspace,
/// Amazon SES, IMail, Mail.ru, GMX, Zoho, MessagingServer, McAfee, MessageLabs, au/KDDI,
/// Biglobe, EZweb, Verizon, InterScan, Amavis.
enum BounceReasonMTATable {
    /// The reason the reporting software's own message names, or `nil`.
    static func reason(_ input: BounceReasonInput) -> BounceReason? {
        let text = input.text
        if input.format == .qmail, let reason = qmail(text) { return reason }
        for (phrases, reason) in messages where phrases.matches(text) { return reason }
        if let reason = facebook(input) { return reason }
        if input.isMicrosoftReport || input.isHotmailReport,
            BounceReasonPattern.find(Array("requested action not taken: mailbox unavailable".utf8), in: text) != nil
        {
            return .userunknown
        }
        if input.isMicrosoftReport, let status = input.status, let reason = office365(status) { return reason }
        return nil
    }

    /// qmail (and its X4 variant, qmail-ldap): the failing SMTP step decides first, then its texts.
    static func qmail(_ text: [UInt8]) -> BounceReason? {
        if BounceReasonPhrases(["connected to * but sender was rejected."]).matches(text) { return .rejected }
        if BounceReasonPhrases(["connected to * but my name was rejected."]).matches(text) { return .blocked }
        if BounceReasonPhrases(["* does not like recipient.…this message has been in the queue too long.$"]).matches(text) {
            return .onhold
        }
        for (phrases, reason) in qmailMessages where phrases.matches(text) { return reason }
        if BounceReasonPattern.find(Array("this message has been in the queue too long.".utf8), in: text) != nil {
            return .expired
        }
        return nil
    }

    /// qmail's "does not like recipient.": the RCPT was refused, for a reason the remote
    /// host's words give better; `userunknown` only when they say nothing more specific.
    static let qmailRecipientRefused = BounceReasonPhrases(["does not like recipient."])

    static let qmailMessages: [(BounceReasonPhrases, BounceReason)] = [
        (BounceReasonPhrases(["no mailbox here by that name"]), .userunknown),
        (BounceReasonPhrases(["disk quota exceeded"]), .mailboxfull),
        (BounceReasonPhrases(["message size exceeds fixed maximum message size:"]), .mesgtoobig),
        (BounceReasonPhrases(["sorry, i couldn't find any host "]), .hostunknown),
        (BounceReasonPhrases(["requested action not taken: mailbox unavailable (not enough free space)"]), .systemfull),
        (BounceReasonPhrases([
            "sorry, i wasn't able to establish an smtp connection", "sorry, i couldn't find a mail exchanger or ip address",
            "sorry. although i'm listed as a best-preference mx or a for that host",
        ]), .networkerror),
        (BounceReasonPhrases(["bad interpreter: no such file or directory", "system error", "unable to"]), .systemerror),
        (BounceReasonPhrases(["mailaddress is administratively disabled", "mailaddress is administrativley disabled",
            "mailaddress is administrativly disabled"]), .suspend),
        (BounceReasonPhrases(["the message exeeded the maximum size the user accepts"]), .exceedlimit),
        (BounceReasonPhrases([
            "automatic homedir creator crashed", "illegal value in ldap attribute", "ldap attribute is not given but mandatory",
            "timeout while performing search on ldap server", "too many results returned but needs to be unique",
            "permanent error while executing qmail-forward", "temporary error in automatic homedir creation",
            "temporary error while executing qmail-forward", "temporary failure in ldap lookup",
            "unable to contact ldap server", "unable to login into ldap server, bad credentials",
        ]), .systemerror),
    ]

    /// Distinctive fixed texts of the other reporting programs, in no particular order
    /// (none overlaps another).
    static let messages: [(BounceReasonPhrases, BounceReason)] = [
        // Exchange 2007 and later: the NDR's resolver codes.
        (BounceReasonPhrases(["smtpsend.dns.nonexistentdomain"]), .hostunknown),
        (BounceReasonPhrases(["smtpsend.dns.mxloopback"]), .networkerror),
        (BounceReasonPhrases(["resolver.adr.badprimary", "resolver.adr.invalidinsmtp", "resolver.adr.ambiguous"]), .systemerror),
        (BounceReasonPhrases(["resolver.adr.recipnotfound", "resolver.adr.exrecipnotfound"]), .userunknown),
        (BounceReasonPhrases(["resolver.adr.reciplimit"]), .toomanyconn),
        (BounceReasonPhrases(["resolver.rst.authrequired"]), .securityerror),
        (BounceReasonPhrases(["resolver.rst.notauthorized"]), .rejected),
        (BounceReasonPhrases(["resolver.rst.recipsizelimit"]), .mesgtoobig),
        (BounceReasonPhrases(["queue.expired"]), .expired),
        // Exchange 2003: the NDR's hexadecimal diagnostic codes.
        (BounceReasonPhrases(["000c05a6"]), .userunknown),
        (BounceReasonPhrases(["00050311", "000502cc"]), .contenterror),
        (BounceReasonPhrases(["000c0595"]), .filtered),
        (BounceReasonPhrases(["00120270"]), .networkerror),
        (BounceReasonPhrases(["000b099c", "000b09aa", "000b09b6"]), .onhold),
        (BounceReasonPhrases(["000b0981"]), .securityerror),
        (BounceReasonPhrases(["00010256", "000d06b5"]), .systemerror),
        // Exim and its relatives (Mail.ru, MXLogic).
        (BounceReasonPhrases([
            "all host address lookups failed permanently", "all relevant mx records point to non-existent hosts",
        ]), .hostunknown),
        (BounceReasonPhrases(["error: quota exceed"]), .mailboxfull),
        (BounceReasonPhrases(["an mx or srv record indicated no smtp service", "no host found for existing smtp connection"]),
            .notaccept),
        (BounceReasonPhrases([
            "angle-brackets nested too deep", "expected word or \"<\"", "domain missing in source-routed address",
            "malformed address:",
        ]), .syntaxerror),
        (BounceReasonPhrases(["delivery to file forbidden", "delivery to pipe forbidden", "lmtp error after "]), .systemerror),
        (BounceReasonPhrases(["too many \"received\" headers"]), .contenterror),
        (BounceReasonPhrases(["retry timeout exceeded", "delivery retry timeout exceeded"]), .expired),
        // Courier
        (BounceReasonPhrases(["this domain's dns violates rfc 1035."]), .systemerror),
        (BounceReasonPhrases(["dns lookup failed."]), .networkerror),
        // OpenSMTPD
        (BounceReasonPhrases(["envelope expired"]), .expired),
        (BounceReasonPhrases(["destination seem to reject all mails"]), .notaccept),
        (BounceReasonPhrases([
            "address family mismatch on destination mxs", "all routes to destination blocked", "bad dns lookup error code",
            "could not retrieve source address", "network error on destination mxs", "no mx found for domain",
            "no mx found for destination", "no valid route to remote mx", "no valid route to destination",
            "temporary failure in mx lookup",
        ]), .networkerror),
        (BounceReasonPhrases(["could not retrieve credentials"]), .securityerror),
        // Gmail and Google Workspace notices
        (BounceReasonPhrases(["dns error: domain name not found", "dns error: dns server returned answer with no data"]),
            .hostunknown),
        (BounceReasonPhrases([
            "dns error: could not contact dns servers", "the recipient server did not accept our requests to connect",
        ]), .expired),
        (BounceReasonPhrases([" had no relevant answers.", " responded with code nxdomain"]), .networkerror),
        (BounceReasonPhrases([
            "because the address couldn't be found. check for typos or unnecessary spaces and try again.",
        ]), .userunknown),
        // Domino / Lotus Notes
        (BounceReasonPhrases([
            "not listed in domino directory", "not listed in public name & address book",
            "non répertorié dans l'annuaire domino", "domino ディレクトリには見つかりません", "ディレクトリのリストにありません",
        ]), .userunknown),
        (BounceReasonPhrases(["cannot route mail to user"]), .filtered),
        (BounceReasonPhrases(["several matches found in domino directory"]), .systemerror),
        (BounceReasonPhrases(["message has exceeded maximum hop count"]), .networkerror),
        // MessagingServer (Sun/Oracle), IMail, McAfee, MessageLabs, Outlook.com, au, Biglobe, EZweb, Verizon
        (BounceReasonPhrases(["illegal host/domain name found"]), .hostunknown),
        (BounceReasonPhrases(["^user mailbox exceeds allowed size"]), .mailboxfull),
        (BounceReasonPhrases(["^requested action not taken: virus detected"]), .virusdetected),
        (BounceReasonPhrases(["^invalid final delivery userid"]),
            .userunknown),
        (BounceReasonPhrases(["^542 …rejected"]), .userunknown),
        (BounceReasonPhrases(["please turn on smtp authentication in your mail client"]), .securityerror),
        (BounceReasonPhrases([
            "the mail could not be delivered to the recipient because the domain is not reachable",
            "as the remote domain doesnt exist",
        ]), .hostunknown),
        (BounceReasonPhrases(["as their mailbox is full", "the user(s) account is temporarily over quota",
            "the number of messages in recipient's mailbox exceeded the local limit."]), .mailboxfull),
        (BounceReasonPhrases(["due to the following smtp relay error"]), .norelaying),
        (BounceReasonPhrases(["mail delivery failed... user unknown"]), .filtered),
        (BounceReasonPhrases(["the user(s) account is disabled.", "the user(s) account is temporarily limited."]), .suspend),
        (BounceReasonPhrases(["your message was not delivered within "]), .expired),
        (BounceReasonPhrases(["550 - requested action not taken: no such user here", "no valid recipients for this mm"]),
            .userunknown),
        // Google Workspace: the recipient domain publishes a null MX (RFC 7505).
        (BounceReasonPhrases(["returned null mx", "does not accept mail (nullmx)"]), .notaccept),
        // Amazon SES (receiving), Zoho
        (BounceReasonPhrases(["host not reachable"]), .expired),
    ]

    /// Facebook's refusal codes (`550 5.1.1 RCP-P2 http://postmaster.facebook.com/…`).
    static func facebook(_ input: BounceReasonInput) -> BounceReason? {
        guard BounceReasonPattern.find(Array("postmaster.facebook.com".utf8), in: input.text) != nil
            || input.destination == "facebook.com"
        else { return nil }
        for (code, reason) in facebookCodes where BounceReasonPattern.find(Array(code.utf8), in: input.text) != nil {
            return reason
        }
        return nil
    }

    static let facebookCodes: [(String, BounceReason)] = [
        ("pol-p1", .blocked), ("pol-p2", .blocked), ("msg-p2", .contenterror), ("msg-p3", .contenterror),
        ("pol-p6", .contenterror), ("pol-p7", .securityerror), ("rcp-p2", .filtered), ("rcp-p3", .filtered),
        ("msg-p1", .mesgtoobig), ("int-p2", .mesgtoobig), ("pol-p3", .notaccept), ("pol-p4", .notaccept),
        ("pol-t1", .notaccept), ("pol-t2", .notaccept), ("pol-t3", .notaccept), ("dns-p1", .rejected),
        ("dns-p2", .rejected), ("dns-t1", .rejected), ("dns-p3", .rejected), ("dns-t2", .rejected),
        ("rcp-t4", .suspend), ("con-t1", .systemerror), ("rcp-t1", .systemerror), ("con-t2", .toomanyconn),
        ("con-t3", .toomanyconn), ("msg-t1", .undefined), ("con-t4", .undefined), ("rcp-p1", .userunknown),
        ("int-p1", .userunknown), ("int-p3", .userunknown), ("int-p4", .userunknown), ("pol-p5", .virusdetected),
    ]

    /// Exchange Online / Office 365 reports: reasons by status code alone.
    static func office365(_ status: EnhancedStatusCode) -> BounceReason? {
        switch (status.statusClass, status.subject, status.detail) {
        case (4, 4, 7), (4, 4, 316), (5, 4, 316): return .expired
        case (4, 4, 312), (5, 4, 6), (5, 4, 312), (5, 7, 25): return .networkerror
        case (4, 7, 26), (5, 7, 509), (5, 7, 512), (5, 7, 57): return .securityerror
        case (4, 7, 500...699), (4, 7, 850...899), (5, 7, 23), (5, 7, 506...507), (5, 7, 606...649): return .blocked
        case (5, 0, 350), (5, 6, 11): return .contenterror
        case (5, 1, 10): return .userunknown
        case (5, 4, 1): return .norelaying
        case (5, 7, 1), (5, 7, 12...13), (5, 7, 124), (5, 7, 133...136), (5, 7, 511): return .rejected
        case (5, 7, 501...503): return .spamdetected
        case (5, 7, 504...505): return .filtered
        case (5, 7, 508), (5, 7, 700...749): return .toomanyconn
        case (5, 7, 510): return .notaccept
        default: return nil
        }
    }
}
