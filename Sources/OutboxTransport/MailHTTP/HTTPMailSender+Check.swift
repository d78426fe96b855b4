import OutboxCore

extension HTTPMailSender {
    /// A dry request for `outbox profile test`: POSTs an empty body marked
    /// `X-Outbox-Dry-Run: 1`, with the endpoint's authorization, TLS settings and timeouts,
    /// to see that the service is reachable and takes the credentials. The result's outcome
    /// is `sent` when the service answered without refusing the credentials or the URL (a
    /// 2xx, or a 4xx about the empty request such as 400, 405, 415 or 422); a refusal of the
    /// credentials (401, 403, 407) is `authenticationRejected`, a missing URL (404) `failed`.
    public static func check(_ endpoint: HTTPMailEndpoint) -> HTTPMailResult {
        var headers: [(name: String, value: String)] = [("Accept", "application/json, text/plain;q=0.9, */*;q=0.5"), ("X-Outbox-Dry-Run", "1")]
        if let authorization = endpoint.auth.headerValue { headers.append(("Authorization", authorization)) }
        headers.append(("Content-Type", endpoint.format == .rawMIME ? "message/rfc822" : "application/json"))
        let request = HTTPRequest(
            method: .post, url: endpoint.url, headers: headers, body: [], connectTimeout: endpoint.connectTimeout,
            totalTimeout: endpoint.totalTimeout, verifyTLS: endpoint.verifyTLS, caFile: endpoint.caFile, maximumResponseBytes: 64 * 1024)
        do {
            let response = try HTTPClient.perform(request)
            let text = HTTPMailClassifier.excerpt(response.body)
            let line = ["HTTP \(response.status)" + (text.isEmpty ? "" : ": \(text)")]
            let outcome: DeliveryOutcome = switch response.status {
            case 403: .profileProblem(.authenticationRejected, SMTPReply(code: 535, lines: line))
            case 404: .failed(SMTPReply(code: 554, lines: line))
            case 200...299, 400, 405, 411, 413, 415, 422: .sent(SMTPReply(code: 250, lines: line))
            default: HTTPMailClassifier.outcome(status: response.status, text: text)
            }
            let report = DeliveryReport(outcome: outcome, recipients: [], replies: outcome.reply.map { [$0] } ?? [],
                                        transport: TransportResult(status: .completed, code: 0), reusedConnection: false)
            return HTTPMailResult(httpStatus: response.status, retryAfter: nil, report: report)
        } catch {
            let transport = error.transport ?? TransportResult(status: error.code == .invalidURL ? .configuration : .other, code: -1, message: error.reason)
            let report = DeliveryReport(outcome: HTTPMailClassifier.outcome(error: error), recipients: [], replies: [],
                                        transport: transport, reusedConnection: false)
            return HTTPMailResult(httpStatus: nil, retryAfter: nil, report: report)
        }
    }
}
