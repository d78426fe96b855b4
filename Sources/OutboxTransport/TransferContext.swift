import CCurl
import OutboxCore

/// The state libcurl's C callbacks reach through `Unmanaged` user data: the message being
/// uploaded and the server replies of the current attempt. Owned by one ``SMTPSession``.
final class TransferContext {
    /// Most replies kept per attempt; more means a misbehaving server.
    static let maximumReplies = 1024

    private var body: [UInt8] = []
    private var offset = 0
    private var reader = SMTPReplyReader()
    /// Called once at the first read, before any byte of the message is sent; false aborts.
    private var beforeBody: (() -> Bool)?
    /// The replies of the current attempt, in order.
    private(set) var replies: [SMTPReply] = []
    /// True once libcurl has read every byte of the message: it sends the final "." next (it
    /// may not ask again for the end when it knows the size), so from here a lost connection
    /// leaves the outcome unknown.
    var bodyHandedOver: Bool { !body.isEmpty && offset == body.count }
    /// True when the current message needs SMTPUTF8 (RFC 6531): a UTF-8 address in the
    /// envelope or the headers. Set by the session before each attempt.
    var requiresSMTPUTF8 = false
    /// Whether the server of the current connection offers SMTPUTF8 (its last EHLO reply);
    /// nil before any EHLO was seen. Kept across attempts: a reused connection has no EHLO.
    private(set) var offersSMTPUTF8: Bool?
    /// True when the attempt was stopped before MAIL FROM because the message needs
    /// SMTPUTF8 and the server does not offer it.
    private(set) var stoppedForSMTPUTF8 = false
    /// libcurl's CURLOPT_ERRORBUFFER; lives as long as the handle.
    let errorBuffer: UnsafeMutablePointer<CChar>

    init() {
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit { errorBuffer.deallocate() }

    /// Starts an attempt that uploads `message`; `beforeBody` runs at the first read.
    func begin(uploading message: [UInt8], beforeBody: (() -> Bool)? = nil) {
        body = message
        offset = 0
        self.beforeBody = beforeBody
        reader = SMTPReplyReader()
        replies.removeAll(keepingCapacity: true)
        stoppedForSMTPUTF8 = false
        errorBuffer[0] = 0
    }

    /// The pre-request check (before MAIL FROM): notes whether a fresh connection's EHLO
    /// offered SMTPUTF8, and says no when the message needs it and the server lacks it.
    func mayStartTransaction() -> Bool {
        // On a new connection the last 250 reply so far is the (last) EHLO's, or HELO's.
        if let hello = replies.last(where: { $0.code == 250 }) {
            offersSMTPUTF8 = hello.lines.dropFirst().contains { $0.uppercased().split(separator: " ").first == "SMTPUTF8" }
        }
        stoppedForSMTPUTF8 = requiresSMTPUTF8 && offersSMTPUTF8 != true
        return !stoppedForSMTPUTF8
    }

    /// Ends an attempt: drops the message bytes and replies (QUIT's reply may follow).
    func end() {
        body = []
        offset = 0
        beforeBody = nil
        replies.removeAll(keepingCapacity: true)
    }

    /// libcurl's error text for the last attempt.
    var errorMessage: String { String(cString: errorBuffer) }

    /// Copies up to `capacity` bytes of the message into `destination`; 0 at the end.
    /// libcurl reads only after the server's 354 and sends the final "." only after the
    /// last byte, so `beforeBody` runs before the server can accept the message, however
    /// libcurl detects the end. Returns CURL_READFUNC_ABORT when `beforeBody` says no.
    func read(into destination: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        if let hook = beforeBody {
            beforeBody = nil
            guard hook() else { return Int(CURL_READFUNC_ABORT) }
        }
        let count = min(capacity, body.count - offset)
        guard count > 0 else { return 0 }
        body.withUnsafeBufferPointer { source in
            UnsafeMutableRawPointer(destination).copyMemory(from: source.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }

    /// Takes one line the server sent (CURLINFO_HEADER_IN).
    func receive(line: UnsafeRawBufferPointer) {
        let bytes = Array(line.prefix(SMTPReplyReader.maximumLineLength + 4))
        guard let reply = reader.consume(bytes: bytes), replies.count < Self.maximumReplies else { return }
        replies.append(reply)
    }
}
