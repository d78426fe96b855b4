import Foundation
import OutboxTransport

#if canImport(Glibc)
import Glibc
#endif

/// The loopback redirect of a native app's sign-in (RFC 8252 §7.3): listens on
/// `127.0.0.1:PORT` for the browser coming back with `?code=…&state=…`, and at the same
/// time reads standard input for the same URL pasted from a browser on another machine
/// (a headless server). Only the first request to `/` that carries a code or an error
/// counts; the page the browser gets never shows the code.
final class LoopbackRedirectListener {
    /// The port listened on (the one asked for, or the one the system chose for 0).
    let port: Int
    private let listener: Int32

    /// Binds `127.0.0.1:port` (0: any free port).
    init(port: Int) throws(OAuthError) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw OAuthError(.unavailable, "cannot open a socket for the redirect: \(Self.lastError())") }
        var yes: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 8) == 0 else {
            let reason = Self.lastError()
            close(fd)
            throw OAuthError(.unavailable, "cannot listen on 127.0.0.1:\(port) for the redirect: \(reason); choose another --redirect-port")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(listener) }

    /// The redirect URI to register the request with.
    var redirectURI: String { "http://127.0.0.1:\(port)/" }

    /// Waits for the redirect, from the browser or pasted on standard input, until `timeout`.
    /// - Parameter onUnusablePaste: told when a pasted line is not a redirected URL.
    func wait(timeout: Duration, onUnusablePaste: (String) -> Void) throws(OAuthError) -> AuthorizationResponse {
        let deadline = ContinuousClock.now + timeout
        var readsInput = true
        var pasted: [UInt8] = []
        while ContinuousClock.now < deadline {
            var fds = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
            if readsInput { fds.append(pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)) }
            let left = deadline - ContinuousClock.now
            let ready = poll(&fds, nfds_t(fds.count), Int32(max(1, min(1000, left.components.seconds * 1000 + 1))))
            guard ready > 0 else { continue }
            if fds[0].revents != 0, let response = acceptRedirect() { return response }
            if readsInput, fds[1].revents != 0 {
                var buffer = [UInt8](repeating: 0, count: 4096)
                let count = read(STDIN_FILENO, &buffer, buffer.count)
                if count <= 0 { readsInput = false; continue }  // no terminal (or closed): the browser's way only
                pasted += buffer[0..<count]
                while let newline = pasted.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: pasted[..<newline], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                    pasted.removeSubrange(...newline)
                    guard !line.isEmpty else { continue }
                    if let response = AuthorizationResponse(redirect: line) { return response }
                    onUnusablePaste(line)
                }
                if pasted.count > 16 * 1024 { pasted.removeAll() }
            }
        }
        throw OAuthError(.signInTimedOut, "no sign-in came back within \(timeout.components.seconds) s; run the command again")
    }

    /// Reads one HTTP request; answers it, and returns the response when it is the redirect.
    private func acceptRedirect() -> AuthorizationResponse? {
        let client = accept(listener, nil, nil)
        guard client >= 0 else { return nil }
        defer { close(client) }
        var limit = timeval(tv_sec: 5, tv_usec: 0)
        _ = setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 2048)
        while request.count < 16 * 1024, !request.ends(with: Array("\r\n\r\n".utf8)) {
            let count = recv(client, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            request += buffer[0..<count]
        }
        let firstLine = String(decoding: request.prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        let parts = firstLine.split(separator: " ")
        guard parts.count == 3, parts[0] == "GET", parts[1].hasPrefix("/?") || parts[1] == "/",
            let response = AuthorizationResponse(redirect: String(parts[1]))
        else {
            respond(client, status: "404 Not Found", text: "This is Outbox waiting for a sign-in; nothing else is served here.")
            return nil
        }
        respond(client, status: "200 OK", text: response.error == nil
            ? "Outbox received the sign-in. You can close this window and return to the terminal."
            : "The sign-in was not completed (\(response.error ?? "")). Return to the terminal.")
        return response
    }

    private func respond(_ client: Int32, status: String, text: String) {
        let body = "<!doctype html><meta charset=utf-8><title>Outbox</title><p>\(text)</p>\n"
        let head = "HTTP/1.1 \(status)\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\n"
            + "Cache-Control: no-store\r\nConnection: close\r\n\r\n"
        let bytes = Array((head + body).utf8)
        _ = bytes.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}

extension Array where Element == UInt8 {
    fileprivate func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}
