import Foundation
import OutboxCore

/// The `http` sender mode: posts one composed message to an HTTP mail service, either as
/// raw MIME or in the documented JSON shape (``HTTPMailFormat``), and classifies the answer.
public enum HTTPMailSender {
    /// Sends `message` (the raw RFC 5322 bytes, CRLF line endings) for `envelope`. Never
    /// throws: every failure is an outcome in the result. Credentials appear in no result.
    public static func send(_ message: [UInt8], envelope: HTTPMailEnvelope, to endpoint: HTTPMailEndpoint) -> HTTPMailResult {
        var headers: [(name: String, value: String)] = [("Accept", "application/json, text/plain;q=0.9, */*;q=0.5")]
        if let authorization = endpoint.auth.headerValue { headers.append(("Authorization", authorization)) }
        let body: [UInt8]
        switch endpoint.format {
        case .rawMIME:
            headers.append(("Content-Type", "message/rfc822"))
            headers.append(("X-Outbox-Envelope-From", envelope.from.address))
            headers.append(("X-Outbox-Envelope-To", envelope.recipients.map(\.address).joined(separator: ", ")))
            body = message
        case .json:
            headers.append(("Content-Type", "application/json"))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            body = (try? Array(encoder.encode(HTTPMailPayload(envelope, message: message)))) ?? []
        }
        let request = HTTPRequest(
            method: .post, url: endpoint.url, headers: headers, body: body, connectTimeout: endpoint.connectTimeout,
            totalTimeout: endpoint.totalTimeout, verifyTLS: endpoint.verifyTLS, caFile: endpoint.caFile, maximumResponseBytes: 64 * 1024)
        do {
            let response = try HTTPClient.perform(request)
            let outcome = HTTPMailClassifier.outcome(status: response.status, text: HTTPMailClassifier.excerpt(response.body))
            let accepted = outcome.reply.flatMap { $0.isPositive ? $0 : nil }
            let report = DeliveryReport(
                outcome: outcome, recipients: envelope.recipients.map { RecipientResult(address: $0.address, reply: accepted) },
                replies: outcome.reply.map { [$0] } ?? [], transport: TransportResult(status: .completed, code: 0),
                reusedConnection: false)
            let retryAfter = response.header("Retry-After").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }.map { Duration.seconds($0) }
            return HTTPMailResult(httpStatus: response.status, retryAfter: retryAfter, report: report)
        } catch {
            let transport = error.transport ?? TransportResult(status: error.code == .invalidURL ? .configuration : .other, code: -1, message: error.reason)
            let report = DeliveryReport(
                outcome: HTTPMailClassifier.outcome(error: error), recipients: envelope.recipients.map { RecipientResult(address: $0.address, reply: nil) },
                replies: [], transport: transport, reusedConnection: false)
            return HTTPMailResult(httpStatus: nil, retryAfter: nil, report: report)
        }
    }
}
