import CCurl
public import OutboxCore

/// An SMTP client session: one libcurl easy handle, reused for consecutive messages to the
/// same endpoint so libcurl keeps the TCP (and TLS) connection and its AUTH between them.
///
/// Not `Sendable`: use a session from one task or thread at a time; run sessions in
/// parallel for parallel connections. The connection closes (QUIT) when the session is
/// released.
public final class SMTPSession {
    public let endpoint: SMTPEndpoint
    let credentials: SMTPCredentials
    let handle: UnsafeMutableRawPointer
    let context = TransferContext()

    /// Makes the handle and sets everything that stays the same from message to message.
    /// Nothing is sent until the first ``send(_:envelope:)``.
    public init(endpoint: SMTPEndpoint, credentials: SMTPCredentials = .none) throws(SMTPSessionError) {
        guard CurlRuntime.ensureInitialised(), let handle = curl_easy_init() else {
            throw SMTPSessionError(.curlUnavailable, "libcurl could not make a handle")
        }
        self.endpoint = endpoint
        self.credentials = credentials
        self.handle = handle
        try configure()
    }

    deinit {
        curl_easy_cleanup(handle)  // may send QUIT; the debug callback still finds `context`
    }

    /// Sends one message (CRLF line endings, headers included) to the envelope's recipients
    /// and classifies the attempt. Never throws: every failure is an outcome in the report.
    ///
    /// - Parameter beforeBody: called once, when libcurl asks for the message after the
    ///   server's 354, before any byte of it is sent — so before the final "." that lets the
    ///   server accept it. Returning false aborts the transfer (nothing is accepted). The
    ///   delivery engine waits there for the previous message's outcome to be committed,
    ///   overlapping that commit with MAIL, RCPT and DATA of this message.
    public func send(_ message: [UInt8], envelope: SMTPEnvelope, beforeBody: (() -> Bool)? = nil) -> DeliveryReport {
        context.requiresSMTPUTF8 = Self.requiresSMTPUTF8(message, envelope: envelope)
        var report = attempt(message, envelope: envelope, beforeBody: beforeBody)
        // A kept connection the server closed while idle fails before any reply: nothing was
        // accepted, so one retry on a fresh connection is safe (never after an unknown outcome).
        if report.reusedConnection, report.replies.isEmpty, report.transport.status == .connectionLost, report.outcome != .unknown {
            report = attempt(message, envelope: envelope, beforeBody: beforeBody)
        }
        if context.stoppedForSMTPUTF8 {  // nothing was sent; see SMTPSession+SMTPUTF8
            report = sendWithoutSMTPUTF8(message, envelope: envelope, stopped: report, beforeBody: beforeBody)
        }
        return report
    }

    func attempt(_ message: [UInt8], envelope: SMTPEnvelope, beforeBody: (() -> Bool)?) -> DeliveryReport {
        context.begin(uploading: message, beforeBody: beforeBody)
        defer { context.end() }
        var recipients: UnsafeMutablePointer<curl_slist>?
        for mailbox in envelope.recipients {
            recipients = curl_slist_append(recipients, "<\(mailbox.address)>")
        }
        defer { curl_slist_free_all(recipients) }
        let from = "<\(envelope.mailFrom?.address ?? "")>"
        var code = ccurl_easy_setopt_string(handle, CURLOPT_MAIL_FROM, from)
        if code == CURLE_OK { code = ccurl_easy_setopt_slist(handle, CURLOPT_MAIL_RCPT, recipients) }
        if code == CURLE_OK { code = ccurl_easy_setopt_offset(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(message.count)) }
        if code == CURLE_OK { code = curl_easy_perform(handle) }
        _ = ccurl_easy_setopt_slist(handle, CURLOPT_MAIL_RCPT, nil)
        var connects = 0
        _ = ccurl_easy_getinfo_long(handle, CURLINFO_NUM_CONNECTS, &connects)
        // libcurl 7.88 reports a connection closed while it waits for the reply to the final
        // "." as CURLE_RECV_ERROR ("response reading failed"), a silent server as
        // OPERATION_TIMEDOUT: neither says whether the "." arrived. Every byte read and
        // written (SIZE_UPLOAD_T counts bytes sent, dot-stuffing included) means the "." was
        // sent next, so the server may have the message.
        var uploaded: curl_off_t = 0
        _ = ccurl_easy_getinfo_offset(handle, CURLINFO_SIZE_UPLOAD_T, &uploaded)
        let exchange = SMTPExchange.Context(
            newConnection: connects > 0, startTLS: endpoint.tls == .startTLS,
            hasCredentials: !credentials.isNone, recipients: envelope.recipients.map(\.address),
            bodySent: context.bodyHandedOver && Int(uploaded) >= message.count)
        let transport = CurlResultMapping.result(code, message: context.errorMessage)
        return DeliveryClassifier.classify(transport, replies: context.replies, context: exchange)
    }

    private func configure() throws(SMTPSessionError) {
        let userData = Unmanaged.passUnretained(context).toOpaque()
        try set(CURLOPT_URL, endpoint.curlURL(), "URL")
        try set(CURLOPT_NOSIGNAL, 1, "NOSIGNAL")
        try set(CURLOPT_UPLOAD, 1, "UPLOAD")
        try check(ccurl_easy_setopt_read_function(handle, CurlCallbacks.read), "READFUNCTION")
        try check(ccurl_easy_setopt_pointer(handle, CURLOPT_READDATA, userData), "READDATA")
        try check(ccurl_easy_setopt_debug_function(handle, CurlCallbacks.debug), "DEBUGFUNCTION")
        try check(ccurl_easy_setopt_pointer(handle, CURLOPT_DEBUGDATA, userData), "DEBUGDATA")
        try check(ccurl_easy_setopt_prereq_function(handle, CurlCallbacks.prerequest), "PREREQFUNCTION")
        try check(ccurl_easy_setopt_pointer(handle, CURLOPT_PREREQDATA, userData), "PREREQDATA")
        try set(CURLOPT_VERBOSE, 1, "VERBOSE")  // needed for the debug callback; it prints nothing
        try check(ccurl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, context.errorBuffer), "ERRORBUFFER")
        try check(ccurl_easy_setopt_mail_rcpt_allowfails(handle, 1), "MAIL_RCPT_ALLOWFAILS")
        try configureTimeouts()
        try configureTLS()
        if let interface = try endpoint.curlInterface() { try set(CURLOPT_INTERFACE, interface, "INTERFACE") }
        try configureCredentials()
    }

    private func configureTimeouts() throws(SMTPSessionError) {
        try set(CURLOPT_CONNECTTIMEOUT_MS, endpoint.connectTimeout.milliseconds, "CONNECTTIMEOUT_MS")
        let replySeconds = max(1, (endpoint.replyTimeout.milliseconds + 999) / 1000)
        try set(CURLOPT_SERVER_RESPONSE_TIMEOUT, replySeconds, "SERVER_RESPONSE_TIMEOUT")
        try set(CURLOPT_LOW_SPEED_LIMIT, 1, "LOW_SPEED_LIMIT")
        try set(CURLOPT_LOW_SPEED_TIME, replySeconds, "LOW_SPEED_TIME")
        try set(CURLOPT_TIMEOUT_MS, endpoint.totalTimeout?.milliseconds ?? 0, "TIMEOUT_MS")
    }

    private func configureTLS() throws(SMTPSessionError) {
        if endpoint.tls == .startTLS { try set(CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue), "USE_SSL") }
        try set(CURLOPT_SSL_VERIFYPEER, endpoint.verifyTLS ? 1 : 0, "SSL_VERIFYPEER")
        try set(CURLOPT_SSL_VERIFYHOST, endpoint.verifyTLS ? 2 : 0, "SSL_VERIFYHOST")
        if let caFile = endpoint.caFile { try set(CURLOPT_CAINFO, caFile, "CAINFO") }
    }

    private func configureCredentials() throws(SMTPSessionError) {
        guard !credentials.isNone else { return }
        try set(CURLOPT_USERNAME, credentials.user, "USERNAME")
        try set(CURLOPT_SASL_IR, 1, "SASL_IR")
        switch credentials.mechanism {
        case .automatic:
            try set(CURLOPT_PASSWORD, credentials.secret, "PASSWORD")
        case .plain, .login:
            try set(CURLOPT_PASSWORD, credentials.secret, "PASSWORD")
            try set(CURLOPT_LOGIN_OPTIONS, "AUTH=\(credentials.mechanism.rawValue.uppercased())", "LOGIN_OPTIONS")
        case .xoauth2:
            try set(CURLOPT_XOAUTH2_BEARER, credentials.secret, "XOAUTH2_BEARER")
            try set(CURLOPT_LOGIN_OPTIONS, "AUTH=XOAUTH2", "LOGIN_OPTIONS")
        }
    }

    func set(_ option: CURLoption, _ value: Int, _ name: String) throws(SMTPSessionError) {
        try check(ccurl_easy_setopt_long(handle, option, value), name)
    }

    private func set(_ option: CURLoption, _ value: String, _ name: String) throws(SMTPSessionError) {
        try check(ccurl_easy_setopt_string(handle, option, value), name)
    }

    /// Throws naming the option, never its value (it may be a secret).
    private func check(_ code: CURLcode, _ name: String) throws(SMTPSessionError) {
        guard code == CURLE_OK else {
            throw SMTPSessionError(.optionRejected, "libcurl rejected CURLOPT_\(name) (error \(code.rawValue))")
        }
    }
}

@available(*, unavailable)
extension SMTPSession: Sendable {}

extension Duration {
    /// Whole milliseconds, for libcurl's `_MS` options.
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}
