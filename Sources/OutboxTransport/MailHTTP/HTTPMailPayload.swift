import OutboxCore

/// The documented JSON body of ``HTTPMailFormat/json``:
///
/// ```json
/// {"from": "a@example.com", "to": ["b@example.com"], "cc": [], "bcc": [], "replyTo": [],
///  "subject": "Arve 42", "mime": "<base64 of the raw RFC 5322 message>"}
/// ```
/// Addresses are bare (`local@domain`); display names are in the message's headers.
struct HTTPMailPayload: Encodable {
    let from: String
    let to: [String]
    let cc: [String]
    let bcc: [String]
    let replyTo: [String]
    let subject: String
    let mime: String

    init(_ envelope: HTTPMailEnvelope, message: [UInt8]) {
        from = envelope.from.address
        to = envelope.to.map(\.address)
        cc = envelope.cc.map(\.address)
        bcc = envelope.bcc.map(\.address)
        replyTo = envelope.replyTo.map(\.address)
        subject = envelope.subject
        mime = String(decoding: Base64Encoder.encode(message), as: UTF8.self)
    }
}
