import CCurl
import OutboxCore

extension SMTPSession {
    /// Connects, negotiates TLS and authenticates as for a delivery, then sends `NOOP`
    /// instead of a message: the "Test email settings" button. Never throws.
    public func check() -> ConnectionCheck {
        context.begin(uploading: [])
        defer { context.end() }
        _ = ccurl_easy_setopt_long(handle, CURLOPT_UPLOAD, 0)
        _ = ccurl_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, "NOOP")
        // libcurl hands a custom command's reply to the write callback (default: stdout).
        _ = ccurl_easy_setopt_write_function(handle) { _, size, count, _ in size * count }
        let code = curl_easy_perform(handle)
        _ = ccurl_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, nil)
        _ = ccurl_easy_setopt_long(handle, CURLOPT_UPLOAD, 1)

        var local: UnsafeMutablePointer<CChar>?
        var remote: UnsafeMutablePointer<CChar>?
        _ = ccurl_easy_getinfo_string(handle, CURLINFO_LOCAL_IP, &local)
        _ = ccurl_easy_getinfo_string(handle, CURLINFO_PRIMARY_IP, &remote)
        let localAddress = local.map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
        let remoteAddress = remote.map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
        let transport = CurlResultMapping.result(code, message: context.errorMessage)
        let message = transport.message.isEmpty ? nil : transport.message
        guard code != CURLE_OK else {
            return ConnectionCheck(problem: nil, replies: context.replies, localAddress: localAddress, remoteAddress: remoteAddress,
                                   transportMessage: nil)
        }
        let exchange = SMTPExchange.Context(newConnection: true, startTLS: endpoint.tls == .startTLS,
                                            hasCredentials: !credentials.isNone, recipients: [])
        let report = DeliveryClassifier.classify(transport, replies: context.replies, context: exchange)
        return ConnectionCheck(problem: report.outcome, replies: context.replies, localAddress: localAddress,
                               remoteAddress: remoteAddress, transportMessage: message)
    }
}
