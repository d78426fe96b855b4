/// How a message is posted to an HTTP mail service.
public enum HTTPMailFormat: String, Hashable, Sendable, CaseIterable {
    /// The raw message as the body, `Content-Type: message/rfc822`. The envelope travels
    /// in `X-Outbox-Envelope-From` and `X-Outbox-Envelope-To` (comma-separated addresses,
    /// Bcc included), since headers of the message do not name Bcc recipients.
    case rawMIME = "mime"
    /// `application/json`: `{"from", "to": […], "cc": […], "bcc": […], "replyTo": […],
    /// "subject", "mime"}` with addresses as strings and `mime` the raw message in base64
    /// (see ``HTTPMailPayload``).
    case json
}
