import OutboxCore
import OutboxTransport

/// Hand-made messages and envelopes for the transport tests.
enum TestMail {
    /// A small CRLF message; includes a line starting with "." to exercise dot-stuffing.
    static func message(_ number: Int = 1, size: Int = 0) -> [UInt8] {
        var text = "From: Sender <sender@outbox.test>\r\nTo: rcpt@outbox.test\r\n"
        text += "Subject: Test \(number)\r\nMessage-ID: <\(number)@outbox.test>\r\n\r\n"
        text += "Hello \(number).\r\n.leading dot\r\n"
        while text.utf8.count < size { text += "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstu\r\n" }
        return Array(text.utf8)
    }

    static func envelope(from: String = "bounces@outbox.test", to recipients: [String] = ["rcpt@outbox.test"]) throws -> SMTPEnvelope {
        try SMTPEnvelope(mailFrom: Mailbox(address: from), recipients: recipients.map { try Mailbox(address: $0) })
    }

    /// A loopback endpoint with short timeouts.
    static func endpoint(
        _ port: Int, tls: SMTPEndpoint.TLSMode = .none, caFile: String? = nil, replyTimeout: Duration = .seconds(10)
    ) -> SMTPEndpoint {
        SMTPEndpoint(
            host: "127.0.0.1", port: port, tls: tls, caFile: caFile, ehloName: "client.outbox.test",
            connectTimeout: .seconds(5), replyTimeout: replyTimeout, totalTimeout: .seconds(30))
    }
}
