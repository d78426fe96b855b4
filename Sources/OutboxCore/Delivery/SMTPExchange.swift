/// The replies of one SMTP transaction, attributed to the commands they answered.
///
/// Only the server's replies are recorded (never the client's commands: they carry
/// credentials and message data). The client (libcurl) sends one command at a time and
/// stops at the first refusal except for refused recipients, so the order of commands is
/// known from the session's settings and the replies themselves:
/// greeting, EHLO (HELO after a refused EHLO), STARTTLS + EHLO, AUTH (334…, then the
/// verdict), MAIL, one RCPT per recipient, DATA (354) and the end-of-data reply. On a
/// reused connection the transaction starts at MAIL.
public struct SMTPExchange: Hashable, Sendable {
    /// What the attribution needs to know about the attempt.
    public struct Context: Hashable, Sendable {
        /// True when the attempt opened a new connection (greeting and EHLO expected).
        public var newConnection: Bool
        /// True when STARTTLS is used on a new connection.
        public var startTLS: Bool
        /// True when the client has credentials (it authenticates if the server offers AUTH).
        public var hasCredentials: Bool
        /// The envelope recipients, in the order of the RCPT commands.
        public var recipients: [String]
        /// True when the client handed over every byte of the message after the 354, so the
        /// final "." went out (or was about to) unless the connection had already broken.
        public var bodySent: Bool

        public init(newConnection: Bool, startTLS: Bool, hasCredentials: Bool, recipients: [String], bodySent: Bool = false) {
            self.newConnection = newConnection
            self.startTLS = startTLS
            self.hasCredentials = hasCredentials
            self.recipients = recipients
            self.bodySent = bodySent
        }
    }

    /// The command a reply answers.
    public enum Stage: String, Hashable, Sendable {
        case greeting, hello, startTLS, auth, mail, recipients, data, final
    }

    public private(set) var greeting: SMTPReply?
    /// EHLO replies (and HELO after a refused EHLO), before and after STARTTLS.
    public private(set) var hello: [SMTPReply] = []
    public private(set) var startTLS: SMTPReply?
    /// The AUTH exchange: 334 challenges, then the verdict.
    public private(set) var auth: [SMTPReply] = []
    public private(set) var mail: SMTPReply?
    /// One result per envelope recipient; `reply` is nil for those never answered.
    public private(set) var recipients: [RecipientResult] = []
    /// The reply to DATA (354 to go ahead).
    public private(set) var data: SMTPReply?
    /// The reply after the message data.
    public private(set) var final: SMTPReply?
    /// The stage of the last reply received, nil when none was.
    public private(set) var lastStage: Stage?
    /// The last reply received.
    public private(set) var lastReply: SMTPReply?
    /// The whole message was sent after the 354 (``Context/bodySent``).
    public private(set) var bodySent = false

    /// Attributes `replies` (in arrival order) to the commands of one transaction.
    public init(replies: [SMTPReply], context: Context) {
        var pending = replies[...]
        recipients = context.recipients.map { RecipientResult(address: $0, reply: nil) }
        func next(_ stage: Stage) -> SMTPReply? {
            guard let reply = pending.popFirst() else { return nil }
            lastStage = stage
            lastReply = reply
            return reply
        }
        func sayHello() -> Bool {
            guard let ehlo = next(.hello) else { return false }
            hello.append(ehlo)
            if ehlo.isPositive { return true }
            guard let helo = next(.hello) else { return false }
            hello.append(helo)
            return helo.isPositive
        }
        if context.newConnection {
            greeting = next(.greeting)
            guard greeting?.isPositive == true, sayHello() else { return }
            if context.startTLS {
                startTLS = next(.startTLS)
                guard startTLS?.isPositive == true, sayHello() else { return }
            }
            if context.hasCredentials, hello.last.map(Self.advertisesAuth) == true {
                while let reply = next(.auth) {
                    auth.append(reply)
                    if reply.code != 334 { break }
                }
                guard auth.last?.isPositive == true else { return }
            }
        }
        mail = next(.mail)
        guard mail?.isPositive == true else { return }
        for index in recipients.indices {
            guard let reply = next(.recipients) else { return }
            recipients[index] = RecipientResult(address: recipients[index].address, reply: reply)
        }
        guard recipients.contains(where: \.accepted) else { return }
        data = next(.data)
        guard data?.code == 354 else { return }
        bodySent = context.bodySent
        final = next(.final)
    }

    /// True when an EHLO reply lists the AUTH extension (as libcurl detects it).
    static func advertisesAuth(_ reply: SMTPReply) -> Bool {
        reply.lines.dropFirst().contains { $0.uppercased().hasPrefix("AUTH ") }
    }
}
