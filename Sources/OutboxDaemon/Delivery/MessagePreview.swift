public import Foundation
import OutboxCore
public import OutboxStore

/// A message as bytes for `outbox show ID --eml`: exactly as it was sent (signatures
/// included) once it was sent, else as delivery would compose and sign it now.
public enum MessagePreview {
    public enum Rendering: Sendable {
        /// The bytes that were sent (the kept header block and the body composed again,
        /// matching the kept hash).
        case asSent([UInt8])
        /// Not sent yet: the bytes delivery would send now (its Date and signature time are now).
        case asWouldBeSent([UInt8])
    }

    /// Why there is nothing to show.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    public static func render(messageID: Int64, database: OutboxDatabase, configuration: DeliveryConfiguration, now: Date) throws -> Rendering {
        guard let stored = try database.messageForPreview(id: messageID) else { throw Problem(reason: "no message \(messageID)") }
        let message = stored.message
        if let copy = stored.sent {
            guard let id = copy.messageID else { throw Problem(reason: "the sent header of message \(messageID) has no Message-ID") }
            let placeholder = try Mailbox(address: "preview@outbox.invalid")
            let composed = MIMEComposer.compose(MIMEMessage(
                from: placeholder, to: [placeholder], subject: message.subject, textBody: message.textBody, htmlBody: message.htmlBody,
                headers: message.headers, attachments: message.attachments, messageID: id, date: now))
            guard let bytes = copy.reassemble(composed: composed) else {
                throw Problem(reason: "message \(messageID) cannot be reproduced byte for byte (its stored content or the composer changed since it was sent)")
            }
            return .asSent(bytes)
        }
        if stored.state == .sent || message.recipients.contains(where: { $0.state == .sent }) {
            throw Problem(reason: "message \(messageID) was sent before Outbox kept what it sent: its exact bytes are not known")
        }
        let profile = ProfileResolver.resolve(owner: message.owner, own: stored.profile.own, global: stored.profile.global,
                                              system: configuration.systemRelay)
        switch MessageAssembly.make(message, profile: profile, domain: configuration.messageIDDomain, policy: configuration.senderPolicy,
                                    dkim: (configuration.dkim, DKIMKeyring(database: database)), now: now) {
        case .success(let assembly): return .asWouldBeSent(assembly.bytes)
        case .failure(let failure): throw Problem(reason: "message \(messageID) cannot be composed now: \(failure.reason)")
        }
    }
}

extension DeliveryRecord {
    /// This outcome keeping `assembly`'s header as sent when any recipient accepted them.
    func keepingSentHeader(of assembly: MessageAssembly) -> DeliveryRecord {
        var unknown = false
        if case .unknown = verdict { unknown = true }  // kept too: it may turn out sent
        guard verdict == .sent || unknown || recipients.contains(where: { $0.state == .sent }) else { return self }
        var record = self
        record.sentHeader = SentHeader(sentBytes: assembly.bytes)
        return record
    }
}
