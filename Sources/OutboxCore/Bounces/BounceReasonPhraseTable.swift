// Ported from Sisimai 4.25.15 (Sisimai::Reason::*), BSD-2-Clause,
// Copyright (C) 2014-2021 azumakuniyuki: the phrase lists each reason matches in the
// lowercased diagnostic text. Regular expressions are written out as
// ``BounceReasonPattern``s (`*` a run of non-spaces, `#` digits, `…` anything).

/// What each reason's wording looks like in a diagnostic, reason by reason.
enum BounceReasonPhraseTable {
    /// The phrases of `reason`; empty for reasons recognised by their status or context only.
    static func phrases(_ reason: BounceReason) -> BounceReasonPhrases {
        table[reason] ?? BounceReasonPhrases([])
    }

    /// Whether `text` (lowercased) carries wording of `reason`; `rejected` excludes the
    /// recipient-side wordings Sisimai lists as "is not".
    static func matches(_ reason: BounceReason, _ text: [UInt8]) -> Bool {
        if reason == .rejected, rejectedIsNot.matches(text) { return false }
        return phrases(reason).matches(text)
    }

    static let table: [BounceReason: BounceReasonPhrases] = [
        .blocked: blocked, .contenterror: contenterror, .exceedlimit: exceedlimit, .expired: expired,
        .filtered: filtered, .hasmoved: hasmoved, .hostunknown: hostunknown, .mailboxfull: mailboxfull,
        .mailererror: mailererror, .mesgtoobig: mesgtoobig, .networkerror: networkerror, .norelaying: norelaying,
        .notaccept: notaccept, .policyviolation: policyviolation, .rejected: rejected, .securityerror: securityerror,
        .spamdetected: spamdetected, .suspend: suspend, .systemerror: systemerror, .systemfull: systemfull,
        .toomanyconn: toomanyconn, .userunknown: userunknown, .vacation: vacation, .virusdetected: virusdetected,
    ]

    static let blocked = BounceReasonPhrases([
        " said: 550 blocked", "(*@*:blocked)", "access denied. ip name lookup failed", "access from ip address * blocked",
        "all mail servers must have a ptr record with a valid reverse dns entry", "bad dns ptr resource record",
        "bad sender ip address", "banned sending ip", "blacklisted by", "blocked - see http", "refused - see http",
        "blocked using ", "can't determine purported responsible address", "cannot find your hostname",
        "cannot resolve your address", "client host * blocked using", "client host rejected: abus detecte gu_eib_0",
        "client host rejected: cannot find your hostname", "client host rejected: may not be mail exchanger",
        "client host rejected: was not authenticated", "confirm this mail server", "connection dropped",
        "connection refused by", "connection reset by peer", "connection was dropped by remote host",
        "connections not accepted from ip addresses on spamhaus xbl",
        "connections will not be accepted from *, because the ip is in spamhaus's list", "currently sending spam see: ",
        "domain * mismatches client ip", "domain does not exist:", "dns lookup failure: * try again later",
        "dnsbl:attrbl", "dnsbl:rbl #< … >_is_blocked", "dynamic/zombied/spam ips blocked",
        "email blocked by *.barracudacentral.org", "email blocked by spamhaus", "error: no valid recipients from ",
        "esmtp not accepting connections", "extreme bad ip profile", "fix reverse dns for *", "go away",
        "helo command rejected:", "host * refused to talk to me: # blocked", "host network not allowed",
        "hosts with dynamic ip", "http://spf.pobox.com/why.html", "http://www.spamcop.net/bl.",
        "invalid ip for sending mail of domain", "ip #.#.#.# is blocked by earthlink", "ip/domain reputation problems",
        "ips with missing ptr records", "is in a black list", "is in an *rbl on *", "is not allowed to send mail from",
        "is not allowed to send from <*> per it's spf record", "mail server at * is blocked",
        "mail from #.#.#.# refused:", "message from * rejected based on blacklist",
        "message was rejected for possible spam/virus content",
        "messages from * temporarily deferred due to user complaints", "no access from mail server",
        "no ptr record found.", "not currently accepting mail from your ip", "part of their network is on our block list",
        "please get a custom reverse dns name from your isp for your host", "please inspect your spf settings",
        "please use the smtp server of your isp", "ptr record setup",
        "rejected because the sending mta or the sender has not passed validation",
        "rejected due to a poor email reputation score", "rejected due to the sending mta's poor reputation",
        "rejecting open proxy", "reverse dns failed", "reverse dns required",
        "reverse dns lookup for host * failed permanently", "sender ip address rejected",
        "sender ip reverse lookup rejected", "server access * forbidden by invalid rdns record of your mail server",
        "server access forbidden by your ip ", "server ip * listed as abusive",
        "service not available, closing transmission channel", "service permits # unverifyable sending ips",
        "smtp error from remote mail server after initial connection:",
        "sorry, that domain isn't in my list of allowed rcpthosts", "sorry, that domain isnt in my list of allowed rcpthosts",
        "sorry, your remotehost looks suspiciously like spammer",
        "spf (sender policy framework) domain authentication fail", "spf record", "spf check: fail",
        "spf: * is not allowed to send mail. *_401", "temporarily deferred due to unexpected volume or user complaints",
        "the email * is blacklisted", "the domain * is blacklisted", "the ip * is blacklisted",
        "this system will not accept messages from servers/devices with no reverse dns",
        "to submit messages to this e-mail system has been rejected", "too many spams from your ip",
        "too many unwanted messages have been sent from the following ip address above", "unresolvable relay host name",
        "veuillez essayer plus tard. service refused, please try later. *103",
        "veuillez essayer plus tard. service refused, please try later. *510", "was blocked by *",
        "we do not accept mail from dynamic ips", "we do not accept mail from hosts with dynamic ip or generic dns ptr-records",
        "you are not allowed to connect", "you are sending spam", "your email address has been blacklisted",
        "your network is temporary blacklisted", "your sender's ip address is listed at *.abuseat.org",
        "your server requires confirmation",
    ])

    static let contenterror = BounceReasonPhrases([
        "header size exceeds maximum permitted", "improper use of 8-bit data in message header",
        "message header size, or recipient list, exceeds policy limit", "message mime complexity exceeds the policy maximum",
        "routing loop detected -- too many received: headers", "this message contain invalid mime headers",
        "this message contain improperly-formatted binary content",
        "this message contain text that uses unnecessary base64 encoding",
    ])

    static let exceedlimit = BounceReasonPhrases(["message header size exceeds limit", "message too large"])

    static let expired = BounceReasonPhrases([
        "connection timed out", "could not find a gateway for", "delivery attempts will continue to be",
        "delivery time expired", "failed to deliver to domain ", "giving up on", "have been failing for a long time",
        "has been delayed", "it has not been collected after", "message expired after sitting in queue for",
        "message expired, connection refulsed", "message timed out",
        "retry time not reached for any host after a long failure period", "server did not respond",
        "this message has been in the queue too long", "unable to deliver message after multiple retries",
        "was not reachable within the allowed queue period", "your message could not be delivered for more than",
    ])

    static let filtered = BounceReasonPhrases([
        "because the recipient is only accepting mail from specific email addresses", "bounced address",
        "due to extended inactivity new mail is not currently being accepted for this mailbox",
        "has restricted sms e-mail", "is not accepting any mail", "message rejected due to user rules",
        "not found recipient account", "refused due to recipient preferences", "resolver.rst.notauthorized",
        "this account is protected by", "user not found", "user reject",
        "we failed to deliver mail because the following address recipient id refuse to receive mail",
        "you have been blocked by the recipient",
    ])

    static let hasmoved = BounceReasonPhrases([" has been replaced by "])

    static let hostunknown = BounceReasonPhrases([
        "domain does not exist", "domain is not reachable", "domain must exist", "host or domain name not found",
        "host unknown", "host unreachable", "mail domain mentioned in email address is unknown",
        "name or service not known", "no such domain", "recipient address rejected: unknown domain name",
        "recipient domain must exist", "the account or domain may not exist", "unknown host", "unroutable address",
        "unrouteable address", "553 * does not exist",
    ])

    static let mailboxfull = BounceReasonPhrases([
        "account disabled temporarly for exceeding receiving limits", "account is exceeding their quota",
        "account is over quota", "account is temporarily over quota", "boite du destinataire pleine",
        "delivery failed: over quota", "disc quota exceeded", "does not have enough space",
        "exceeded storage allocation", "exceeding its mailbox quota", "full mailbox", "is over disk quota",
        "is over quota temporarily", "mail file size exceeds the maximum size allowed for mail delivery",
        "mail quota exceeded", "mailbox exceeded the local limit", "mailbox full", "mailbox has exceeded its disk space limit",
        "mailbox is full", "mailbox over quota", "mailbox quota usage exceeded", "mailbox size limit exceeded",
        "maildir over quota", "maildir delivery failed: userdisk quota ", "maildir delivery failed: domaindisk quota ",
        "mailfolder is full", "not enough storage space in", "over the allowed quota", "quota exceeded",
        "quota violation for", "recipient reached disk quota",
        "recipient rejected: mailbox would exceed maximum allowed storage",
        "the recipient mailbox has exceeded its disk space limit", "the user's space has been used up",
        "the user you are trying to reach is over quota", "too much mail data", "user has exceeded quota, bouncing mail",
        "user has too many messages on the server", "user is over quota", "user is over the quota", "user over quota",
        "was automatically rejected: quota exceeded", "would be over the allowed quota",
    ])

    static let mailererror = BounceReasonPhrases([
        "^procmail: ", "bin/procmail", "bin/maildrop", "command failed: ", "command died with status #",
        "command output:", "exit #", "mailer error", "pipe to |/*", "x-unix; #",
    ])

    /// The local delivery program failed (Sisimai reads these as `mailererror` because their
    /// diagnostic type is `X-Unix`, which reports do not always keep).
    static let localDeliveryFailure = BounceReasonPhrases([
        "^procmail: ", "bin/procmail", "bin/maildrop", "command died with status #", "pipe to |/*",
    ])

    static let mesgtoobig = BounceReasonPhrases([
        "exceeded maximum inbound message size", "line limit exceeded", "max message size exceeded",
        "message file too big", "message length exceeds administrative limit", "message size exceeds fixed limit",
        "message size exceeds fixed maximum message size", "message size exceeds maximum value", "message too big",
        "message too large for this ", "size limit", "taille limite du message atteinte",
    ])

    static let networkerror = BounceReasonPhrases([
        "could not connect and send the mail to", "dns records for the destination computer could not be found",
        "hop count exceeded - possible mail loop", "host is unreachable", "host name lookup failure",
        "host not found, try again", "mail forwarding loop for ", "malformed name server reply",
        "malformed or unexpected name server reply", "maximum forwarding loop count exceeded", "message looping",
        "message probably in a routing loop", "no route to host", "too many hops", "unable to resolve route ",
        "unrouteable mail domain",
    ])

    static let norelaying = BounceReasonPhrases([
        "as a relay", "insecure mail relay", "is not permitted to relay through this server without authentication",
        "mail server requires authentication when attempting to send to a non-local e-mail address", "not a gateway",
        "not allowed to relay through this machine", "not an open relay, so get lost", "not local host",
        "relay access denied", "relay denied", "relaying mail to ", "relay not permitted", "relaying denied",
        "that domain isn't in my list of allowed rcpthost", "this system is not configured to relay mail",
        "unable to relay for", "we don't handle mail for",
    ])

    static let notaccept = BounceReasonPhrases([
        "does not accept mail (nullmx)", "host/domain does not accept mail", "host does not accept mail",
        "name server: .: host not found", "no mx record found for domain=", "no route for current request",
        "smtp protocol returned a permanent error",
    ])

    static let policyviolation = BounceReasonPhrases([
        "an illegal attachment on your message", "because the recipient is not accepting mail with ",
        "by non-member to a members-only list", "closed mailing list", "denied by policy", "dmarc policy",
        "email not accepted for policy reasons", "email rejected due to security policies", "header are not accepted",
        "header error", "local policy violation", "message bounced due to organizational settings",
        "message given low priority", "message not accepted for policy reasons", "message rejected due to local policy",
        "messages with multiple addresses", "rejected for policy reasons", "protocol violation",
        "the email address used to send your message is not subscribed to this group",
        "the message was rejected by organization policy",
        "this message was blocked because its content presents a potential",
        "we do not accept messages containing images or other attachments",
        "you have exceeded the allowable number of posts without solving a captcha",
        "you have exceeded the the allowable number of posts without solving a captcha",
    ])

    static let rejectedIsNot = BounceReasonPhrases([
        "5.1.0 address rejected", "recipient address rejected", "sender ip address rejected",
    ])

    static let rejected = BounceReasonPhrases([
        "access denied (in reply to mail from command)", "access denied (sender blacklisted)", "address rejected",
        "administrative prohibition", "batv failed to verify", "batv validation failure",
        "backscatter protection detected an invalid or expired email address",
        "because the sender isn't on the recipient's list of senders to accept mail from", "bogus mail from",
        "connections not accepted from servers without a valid sender domain", "denied [bouncedeny]",
        "denied by secumail valid-address-filter", "delivery not authorized, message refused", "does not exist e2110",
        "domain of sender address ", "email address is on senderfilterconfig list", "emetteur invalide",
        "empty envelope senders not allowed", "envelope blocked – ", "error: no third-party dsns",
        "from: domain is invalid. please provide a valid from:", "fully qualified email address required",
        "invalid domain, see <url:", "invalid sender", "is not a registered gateway user", "mail from not owned by user",
        "message rejected: email address is not verified", "mx records for ", "null sender is not allowed",
        "recipient addresses rejected : access denied", "recipient not accepted. (batv: no tag",
        "returned mail not accepted here", "rfc 1035 violation: recursive cname records for",
        "rule imposed mailbox access for", "sender address has been blacklisted", "sender email address rejected",
        "sender is in my black list", "sender is spammer", "sender not pre-approved", "sender rejected",
        "sender domain is empty", "sender verify failed", "syntax error: empty email address",
        "the message has been rejected by batv defense", "this server does not accept mail from",
        "transaction failed unsigned dsn for", "unroutable sender address", "you are not allowed to post to this mailing list",
        "you are sending to/from an address that has been blacklisted",
        "your access to submit messages to this e-mail system has been rejected",
    ])

    static let securityerror = BounceReasonPhrases([
        "account not subscribed to ses", "authentication credentials invalid", "authentication failure",
        "authentication failed; server * said:", "authentication required", "authentication turned on in your email client",
        "authentification requise…402", "code d'authentification invalide…305", "codes d'authentification invalide…305",
        "code d authentification invalide…305", "code dauthentification invalide…305", "domain * is a dead domain",
        "executable files are not allowed in compressed files", "insecure mail relay",
        "recipient address rejected: access denied",
        "sorry, you don't authenticate or the domain isn't in my list of allowed rcpthosts",
        "sorry, you dont authenticate or the domain isnt in my list of allowed rcpthosts",
        "tls required but not supported", "unauthenticated senders not allowed",
        "user * is not authorized to perform ses:sendrawemail on resource",
        "you are not authorized to send mail, authentication is required", "verification failure",
    ])

    static let spamdetected = BounceReasonPhrases([
        "\"the mail server detected your message as spam and has prevented delivery.\"", "#.#.# spam$", "# spam$",
        "554 5.7.0 reject, id=#", "appears to be unsolicited", "blacklisted url in message", "block for spam",
        "blocked by policy: no spam please", "blocked by spamassassin", "blocked for abuse. see http://att.net/blocks",
        "bulk email", "considered unsolicited bulk e-mail (spam) by our mail filters", "content filter rejection",
        "cyberoam anti spam engine has identified this email as a bulk email", "denied due to spam list",
        "greylisted…please try again in", "high probability of spam", "http://www.spamhaus.org", "https://www.spamhaus.org",
        "http://dsbl.org", "https://dsbl.org", "http://mail.163.com/help/help_spam_16.htm", "listed in work.drbl.imedia.ru",
        "mail appears to be unsolicited", "mail content denied", "mail rejete. mail rejected. *506", "may consider spam",
        "message considered as spam or virus", "message contains spam or virus", "message content rejected",
        "message detected as spam", "message filtered", "message is being rejected as it seems to be a spam",
        "message looks like spam", "message refused by mailmarshal spamprofiler",
        "message refused by trustwave seg spamprofiler", "message rejected as spam",
        "message rejected because of unacceptable content", "message rejected due to suspected spam content",
        "message rejected for policy reasons", "our email server thinks this email is spam",
        "our filters rate at and above # percent probability of being spam",
        "our system has detected that this message is", "probable spam", "reject bulk.advertising",
        "rejected: spamassassin score ", "rejected by * (spam)", "rejected due to spam classification",
        "rejected due to spam content", "rejected due to spam url in classification", "rejected due to spam url in content",
        "rejecting banned content", "rejecting mail content", "related to content with spam-like characteristics",
        "rule imposed as * is blacklisted on", "sender domain listed at *", "sending address not accepted due to spam filter",
        "spam * exceeded", "spam blocked", "spam check", "spam content matched", "spam detected", "spam email",
        "spam message rejected.", "spam not accepted", "spam refused", "spam rejection", "spam reporting address",
        "spam score ", "spambouncer identified spam", "spamming not allowed", "too much spam.",
        "the email message was detected as spam", "the message has been rejected by spam filtering engine",
        "the message was rejected due to classification as bulk mail", "the content of this message looked like spam",
        "this e-mail cannot be forwarded because it was detected as spam",
        "this mail cannot be forwarded because it was detected as spam", "this e-mail is classified as spam and is rejected",
        "this mail is classified as spam and is rejected", "this message appears to be spam",
        "this message has been identified as spam", "this message has been scored as spam with a probability",
        "this message scored * spam points", "this message was classified as spam",
        "this message was rejected by recurrent pattern detection system", "transaction failed spam message not queued",
        "we dont accept spam", "you're using a mass mailer", "your email appears similar to spam we have received before",
        "your email breaches local uribl policy", "your email had spam-like ", "your email is considered spam",
        "your email is probably spam", "your email was detected as spam", "your message as spam and has prevented delivery",
        "your message has been temporarily blocked by our filter",
        "your message has been rejected because it appears to be spam", "your message has triggered a spam block",
        "your message may contain the spam contents", "your message failed several antispam checks",
    ])

    static let suspend = BounceReasonPhrases([
        " is currently suspended", " temporary locked", "boite du destinataire archivee",
        "email account that you tried to reach is disabled", "has been suspended", "invalid/inactive user",
        "is a deactivated mailbox", "mailbox currently suspended", "mailbox is frozen", "mailbox unavailable or access denied",
        "recipient rejected: temporarily inactive", "recipient suspend the service",
        "this account has been disabled or discontinued", "this mailbox is disabled", "user suspended",
        "vdelivermail: account is locked email bounced",
    ])

    static let systemerror = BounceReasonPhrases([
        "aliasing/forwarding loop broken", "can't create user output file", "could not load drd for domain",
        "internal error reading data", "internal server error: operation now in progress", "interrupted system call",
        "it encountered an error while being processed", "it would create a mail loop", "local configuration error",
        "local error in processing", "loop was found in the mail exchanger", "loops back to myself",
        "queue file write error", "mail system configuration error", "remote server is misconfigured",
        "server configuration error", "service currently unavailable", "system config error", "temporary local problem",
        "timeout waiting for input", "transaction failed",
    ])

    static let systemfull = BounceReasonPhrases([
        "mail system full", "requested mail action aborted: exceeded storage allocation",
    ])

    static let toomanyconn = BounceReasonPhrases([
        "all available ips are at maximum connection limit", "connection rate limit exceeded",
        "exceeds per-domain connection limit for", "has exceeded the max emails per hour ",
        "throttling failure: daily message quota exceeded", "throttling failure: maximum sending rate exceeded",
        "too many connections", "too many concurrent smtp connections", "too many errors from your ip",
        "too many recipients", "too many smtp sessions for this host", "trop de connexions, ",
        "we have already made numerous attempts to deliver this message",
    ])

    static let userunknown = BounceReasonPhrases([
        "\\#5.1.1 bad address", "<*> not found", "<*@*>... blocked by ", "550 address invalid", "5.1.0 address rejected.",
        "account * does not exist at the organization",
        "adresse d au moins un destinataire invalide. invalid recipient.*416",
        "adresse d au moins un destinataire invalide. invalid recipient.*418", "address does not exist",
        "address not present in directory", "address unknown", "archived recipient", "bad-recipient", "bad_recipient",
        "bad recipient", "can't accept user", "does not exist.", "destination addresses were unknown",
        "destination server rejected recipients", "email address does not exist", "email address could not be found",
        "invalid address", "invalid mailbox", "invalid recipient", "is not a known user", "is not a valid mailbox",
        "is not an active address at this host", "mailbox * does not exist", "mailbox *@* unavailable",
        "mailbox does not exist", "mailbox invalid", "mailbox is inactive", "mailbox is unavailable",
        "mailbox not present", "mailbox not found", "mailbox unavailable", "nessun utente simile in questo indirizzo",
        "no  * in name directory", "no account by that name here", "no existe dicha persona", "no existe ese usuario ",
        "no mail box available for this user", "no mailbox by that name is currently available", "no mailbox found",
        "no matches to nameserver query", "no such address here", "no such mailbox", "no such person at this address",
        "no such recipient", "no such user", "no thank you rejected: account unavailable:", "no valid recipients, bye",
        "non-existent user", "non existent user", "nonexistent user", "not a valid recipient", "not a valid user here",
        "not a local address", "not email addresses", "rcpt <*> does not exist",
        "recipient address rejected. (in reply to rcpt to command)", "recipient * was not found in",
        "recipient address rejected: access denied", "recipient address rejected: invalid user",
        "recipient address rejected: invalid-recipient", "recipient address rejected: user * does not exist",
        "recipient address rejected: user unknown in * table", "recipient address rejected: unknown user",
        "recipient does not exist", "recipient is not local", "recipient not exist", "recipient not found",
        "recipient not ok", "recipient refuses to accept your mail", "recipient unknown",
        "requested action not taken: mailbox unavailable", "resolver.adr.recipient notfound", "sorry, user unknown",
        "sorry, badrcptto", "sorry, no mailbox here by that name", "sorry, your envelope recipient has been denied",
        "that domain or user isn't in my list of allowed rcpthosts",
        "the email account that you tried to reach does not exist", "the following recipients was undeliverable",
        "the user's email name is not found", "there is no one at this address", "this address no longer accepts mail",
        "this email address is wrong or no longer valid", "this recipient is in my badrecipientto list",
        "this recipient is not in my validrcptto list", "this spectator does not exist",
        "this user doesn't have a * account", "this user doesnt have a * account", "this user doesn’t have a * account",
        "unknown e-mail address", "unknown email address", "unknown local-part", "unknown local part", "unknown mailbox",
        "unknown recipient", "unknown user", "user * was not found", "user * does not exist", "user does not exist",
        "user missing home directory", "user not active", "user not exist", "user not found", "user not known",
        "user unknown", "utilisateur inconnu !", "vdeliver: invalid or unknown virtual user",
        "your envelope recipient is in my badrcptto list",
    ])

    static let vacation = BounceReasonPhrases([
        "i am away on vacation", "i am away until", "i am out of the office", "i will be traveling for work on",
    ])

    static let virusdetected = BounceReasonPhrases([
        "it has a potentially executable attachment",
        "the message was rejected because it contains prohibited virus or spam content",
        "this form of attachment has been used by recent viruses or other malware", "virus detected",
        "your message was infected with a virus",
    ])
}
