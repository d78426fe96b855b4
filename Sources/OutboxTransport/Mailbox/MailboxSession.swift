import CCurl
import OutboxCore

/// One logged-in connection to a bounce mailbox over libcurl: one easy handle, reused
/// for every command so POP3 message numbers stay valid and deletions commit together
/// at `QUIT` (sent by ``close()``). libcurl's verbose trace stays off: no protocol line
/// (the login carries the password or access token) is ever printed or kept.
///
/// With ``MailboxEndpoint/oauth`` the login is XOAUTH2 (libcurl's `CURLOPT_XOAUTH2_BEARER`);
/// a login the server refuses (IMAP `NO [AUTHENTICATIONFAILED]`, POP3 `-ERR`) is retried
/// once with a refreshed access token, then fails with ``MailboxError/Code/loginDenied``.
final class MailboxSession {
    let endpoint: MailboxEndpoint
    let handle: UnsafeMutableRawPointer
    private let sink: HTTPResponseSink
    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// XOAUTH2: the access token the handle logs in with, and whether it was refreshed already.
    private var bearer: OAuthToken?
    private var refreshedBearer = false

    init(endpoint: MailboxEndpoint, maximumMessageBytes: Int) throws(MailboxError) {
        guard CurlRuntime.ensureInitialised(), let handle = curl_easy_init() else {
            throw MailboxError(.curl, "libcurl could not make a handle")
        }
        self.endpoint = endpoint
        self.handle = handle
        sink = HTTPResponseSink(limit: maximumMessageBytes)
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        do {
            try configure()
        } catch {
            close()
            throw error
        }
    }

    /// Ends the session (`QUIT`/`LOGOUT`: POP3 deletions take effect now) and frees the handle.
    func close() {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// Identifiers of the messages in the mailbox: IMAP UIDs or POP3 message numbers.
    func list() throws(MailboxError) -> [String] {
        switch endpoint.kind {
        case .imap:
            let bytes = try perform(url: mailboxURL, command: "UID SEARCH ALL", what: "list \(endpoint.displayURL)")
            return MailboxResponse.imapSearch(bytes)
        case .pop3:
            return MailboxResponse.pop3List(try perform(url: endpoint.base + "/", command: nil, what: "list \(endpoint.displayURL)"))
        }
    }

    /// The raw bytes of one message.
    func fetch(_ id: String) throws(MailboxError) -> [UInt8] {
        let url = endpoint.kind == .imap ? "\(mailboxURL);UID=\(id)" : "\(endpoint.base)/\(id)"
        return try perform(url: url, command: nil, what: "fetch message \(id)")
    }

    /// Marks one message deleted: POP3 `DELE` (committed at `QUIT`), IMAP `\Deleted`
    /// (removed by ``expunge()``).
    func delete(_ id: String) throws(MailboxError) {
        switch endpoint.kind {
        case .imap: _ = try perform(url: mailboxURL, command: "UID STORE \(id) +FLAGS.SILENT (\\Deleted)", what: "delete message \(id)")
        case .pop3: _ = try perform(url: "\(endpoint.base)/\(id)", command: "DELE", what: "delete message \(id)", noBody: true)
        }
    }

    /// IMAP only: moves one message to `folder` (the server must offer MOVE).
    func move(_ id: String, to folder: String) throws(MailboxError) {
        _ = try perform(url: mailboxURL, command: "UID MOVE \(id) \"\(folder)\"", what: "move message \(id) to \(folder)")
    }

    /// IMAP only: removes the messages marked deleted.
    func expunge() throws(MailboxError) {
        _ = try perform(url: mailboxURL, command: "EXPUNGE", what: "expunge \(endpoint.displayURL)")
    }

    /// IMAP only: connects and logs in, then stops, leaving the connection to
    /// ``IMAPChannel`` (libcurl's own fetch would set `\Seen`; a raw `BODY.PEEK[]` does not).
    func connectOnly() throws(MailboxError) {
        try set(CURLOPT_CONNECT_ONLY, 1, "CONNECT_ONLY")
        _ = try perform(url: endpoint.base + "/", command: nil, what: "log in to \(endpoint.displayURL)")
    }

    var mailboxURL: String { "\(endpoint.base)/\(endpoint.encodedMailbox)" }

    func perform(url: String, command: String?, what: String, noBody: Bool = false) throws(MailboxError) -> [UInt8] {
        sink.reset()
        errorBuffer[0] = 0
        try set(CURLOPT_URL, url, "URL")
        try check(ccurl_easy_setopt_pointer(handle, CURLOPT_CUSTOMREQUEST, nil), "CUSTOMREQUEST")
        if let command { try set(CURLOPT_CUSTOMREQUEST, command, "CUSTOMREQUEST") }
        try set(CURLOPT_NOBODY, noBody ? 1 : 0, "NOBODY")
        var code = curl_easy_perform(handle)
        if code == CURLE_LOGIN_DENIED, let oauth = endpoint.oauth, let rejected = bearer {
            // Nothing was done before the login: the same command is safe to repeat.
            guard !refreshedBearer else { throw loginDenied(oauth, what: what) }
            refreshedBearer = true
            try useBearer(try oauth.refresh(after: rejected))
            sink.reset()
            errorBuffer[0] = 0
            code = curl_easy_perform(handle)
            if code == CURLE_LOGIN_DENIED { throw loginDenied(oauth, what: what) }
        }
        if sink.overflowed {
            throw MailboxError(.messageTooLarge, "\(what): larger than \(sink.limit) bytes; left in the mailbox")
        }
        guard code == CURLE_OK else {
            let transport = CurlResultMapping.result(code, message: String(cString: errorBuffer))
            throw MailboxError(.transport, "\(what) failed: \(transport)", transport: transport)
        }
        return sink.bytes
    }

    private func configure() throws(MailboxError) {
        let endpoint = endpoint
        try set(CURLOPT_PROTOCOLS_STR, "imap,imaps,pop3,pop3s", "PROTOCOLS_STR")
        try set(CURLOPT_NOSIGNAL, 1, "NOSIGNAL")
        try set(CURLOPT_VERBOSE, 0, "VERBOSE")
        try check(ccurl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer), "ERRORBUFFER")
        try check(ccurl_easy_setopt_write_function(handle, HTTPCallbacks.write), "WRITEFUNCTION")
        try check(ccurl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(sink).toOpaque()), "WRITEDATA")
        try set(CURLOPT_USERNAME, endpoint.username, "USERNAME")
        if let oauth = endpoint.oauth {
            try set(CURLOPT_LOGIN_OPTIONS, "AUTH=XOAUTH2", "LOGIN_OPTIONS")
            try useBearer(try oauth.accessToken())
        } else {
            try set(CURLOPT_PASSWORD, endpoint.password, "PASSWORD")
        }
        try set(CURLOPT_USE_SSL, Int(endpoint.requireTLS ? CURLUSESSL_ALL.rawValue : CURLUSESSL_TRY.rawValue), "USE_SSL")
        try set(CURLOPT_SSL_VERIFYPEER, endpoint.verifyTLS ? 1 : 0, "SSL_VERIFYPEER")
        try set(CURLOPT_SSL_VERIFYHOST, endpoint.verifyTLS ? 2 : 0, "SSL_VERIFYHOST")
        if let caFile = endpoint.caFile { try set(CURLOPT_CAINFO, caFile, "CAINFO") }
        try set(CURLOPT_CONNECTTIMEOUT_MS, Int(endpoint.connectTimeout * 1000), "CONNECTTIMEOUT_MS")
        try set(CURLOPT_TIMEOUT_MS, Int(endpoint.transferTimeout * 1000), "TIMEOUT_MS")
    }

    private func useBearer(_ token: OAuthToken) throws(MailboxError) {
        bearer = token
        try set(CURLOPT_XOAUTH2_BEARER, token.value, "XOAUTH2_BEARER")
    }

    private func loginDenied(_ oauth: MailboxOAuth, what: String) -> MailboxError {
        MailboxError(.loginDenied, "\(what) failed: \(endpoint.displayURL) refused the XOAUTH2 login of \(endpoint.username) with a freshly "
            + "refreshed access token of owner \(oauth.owner); check that the mailbox allows IMAP/POP and that the sign-in grants "
            + "IMAP.AccessAsUser.All / POP.AccessAsUser.All (re-authorise with `outbox profile oauth \(oauth.owner)` and the mailbox scopes)",
            transport: CurlResultMapping.result(CURLE_LOGIN_DENIED, message: String(cString: errorBuffer)))
    }

    func set(_ option: CURLoption, _ value: Int, _ name: String) throws(MailboxError) {
        try check(ccurl_easy_setopt_long(handle, option, value), name)
    }

    func set(_ option: CURLoption, _ value: String, _ name: String) throws(MailboxError) {
        try check(ccurl_easy_setopt_string(handle, option, value), name)
    }

    func check(_ code: CURLcode, _ name: String) throws(MailboxError) {
        guard code == CURLE_OK else { throw MailboxError(.curl, "libcurl rejected CURLOPT_\(name) (error \(code.rawValue))") }
    }
}
