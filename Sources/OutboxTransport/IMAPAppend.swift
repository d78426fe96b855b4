import CCurl
import Foundation
import OutboxCore

/// Appends a message to an IMAP folder (`APPEND folder (\Seen) {n}`, through libcurl): the
/// copy in *Sent* for providers that do not keep one of mail sent over SMTP.
public enum IMAPAppend {
    /// Logs in to `endpoint`, appends `message` byte for byte to its mailbox (the folder)
    /// and logs out. Throws a ``MailboxError`` saying what failed (never the password).
    public static func append(_ message: [UInt8], to endpoint: MailboxEndpoint) throws(MailboxError) {
        guard endpoint.kind == .imap else { throw MailboxError(.invalidURL, "a copy can only be appended over IMAP, not \(endpoint.kind.rawValue)") }
        let session = try MailboxSession(endpoint: endpoint, maximumMessageBytes: 64 * 1024)
        defer { session.close() }
        try session.append(message)
    }
}

extension MailboxEndpoint {
    /// The IMAP folder that gets the copy of a profile's sent mail: `folder` on `url`
    /// (`imaps://host[:port]` or `imap://…`), by default imaps on 993 of the SMTP host. TLS
    /// is required except to a server on this machine.
    public static func sentCopy(
        folder: String, url: String?, smtpHost: String?, username: String, password: String, verifyTLS: Bool, caFile: String?
    ) throws(MailboxError) -> MailboxEndpoint {
        guard let server = url ?? smtpHost.map({ "imaps://\($0.contains(":") ? "[\($0)]" : $0):993" }) else {
            throw MailboxError(.invalidURL, "no IMAP server for the copy in \(folder): the profile has no host and no --sent-copy-url")
        }
        guard let parts = URLComponents(string: server), parts.path.isEmpty || parts.path == "/" else {
            throw MailboxError(.invalidURL, "--sent-copy-url '\(server)' must be imaps://host[:port] without a folder (the folder is --sent-copy)")
        }
        let encoded = folder.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? folder
        var endpoint = try MailboxEndpoint(url: (server.hasSuffix("/") ? String(server.dropLast()) : server) + "/" + encoded, username: username,
                                           password: password, verifyTLS: verifyTLS, caFile: caFile)
        endpoint.requireTLS = !HTTPURLPolicy.isLoopback(parts.host ?? "")
        return endpoint
    }
}

extension MailboxSession {
    /// IMAP `APPEND` of `message` to the session's mailbox.
    func append(_ message: [UInt8]) throws(MailboxError) {
        let upload = UploadBytes(message)
        try check(ccurl_easy_setopt_read_function(handle, UploadBytes.read), "READFUNCTION")
        try check(ccurl_easy_setopt_pointer(handle, CURLOPT_READDATA, Unmanaged.passUnretained(upload).toOpaque()), "READDATA")
        try check(ccurl_easy_setopt_offset(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(message.count)), "INFILESIZE_LARGE")
        try set(CURLOPT_UPLOAD, 1, "UPLOAD")
        defer { _ = ccurl_easy_setopt_long(handle, CURLOPT_UPLOAD, 0) }
        _ = try withExtendedLifetime(upload) { () throws(MailboxError) -> [UInt8] in
            try perform(url: mailboxURL, command: nil, what: "append to \(endpoint.displayURL)")
        }
    }
}

/// The bytes of one upload, fed to libcurl's read callback (reached through CURLOPT_READDATA).
private final class UploadBytes {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    static let read: curl_read_callback = { buffer, size, count, userData in
        guard let buffer, let userData else { return Int(CURL_READFUNC_ABORT) }
        let upload = Unmanaged<UploadBytes>.fromOpaque(userData).takeUnretainedValue()
        let length = min(size * count, upload.bytes.count - upload.offset)
        guard length > 0 else { return 0 }
        upload.bytes.withUnsafeBufferPointer { source in
            UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress! + upload.offset, byteCount: length)
        }
        upload.offset += length
        return length
    }
}
