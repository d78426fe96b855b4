public import Foundation
import OutboxCore
public import OutboxStore

/// A message as bytes for `outbox show ID --eml`: exactly as it was sent (signatures
/// included) once it was sent, else as delivery would compose and sign it now; and for
/// `outbox enqueue --dry-run`, a message not stored yet as delivery would send it.
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

    /// A stored message as ``OutboxStore/OutboxDatabase/messageForPreview(id:)`` reads it (or the PostgreSQL store's equivalent).
    public typealias Stored = (message: ClaimedMessage, state: MessageState?, profile: ProfileLayers, sent: SentHeader?)

    public static func render(messageID: Int64, database: OutboxDatabase, configuration: DeliveryConfiguration, now: Date) throws -> Rendering {
        try render(messageID: messageID, stored: try database.messageForPreview(id: messageID), keyring: DKIMKeyring(database: database),
                   configuration: configuration, now: now)
    }

    /// `stored` (nil: there is no such message) as bytes; `keyring` signs one not sent yet.
    public static func render(messageID: Int64, stored: Stored?, keyring: DKIMKeyring, configuration: DeliveryConfiguration, now: Date) throws -> Rendering {
        guard let stored else { throw Problem(reason: "no message \(messageID)") }
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
        do {
            return .asWouldBeSent(try wouldBeSent(message, profile: stored.profile, keyring: keyring,
                                                  configuration: configuration, now: now))
        } catch let problem as Problem {
            throw Problem(reason: "message \(messageID) cannot be composed now: \(problem.reason)")
        }
    }

    /// The bytes delivery would send for `message` now: From, envelope and DKIM signature
    /// from the owner's `profile` layers, the configuration and the keys in `keyring`.
    /// Throws a ``Problem`` when it cannot be composed (no sender, no key).
    public static func wouldBeSent(
        _ message: ClaimedMessage, profile: ProfileLayers, keyring: DKIMKeyring, configuration: DeliveryConfiguration, now: Date
    ) throws -> [UInt8] {
        let resolved = ProfileResolver.resolve(owner: message.owner, own: profile.own, global: profile.global,
                                               system: configuration.systemRelay)
        switch MessageAssembly.make(message, profile: resolved, domain: configuration.messageIDDomain, policy: configuration.senderPolicy,
                                    dkim: (configuration.dkim, keyring), now: now) {
        case .success(let assembly): return assembly.bytes
        case .failure(let failure): throw Problem(reason: failure.reason)
        }
    }

    /// The content of `message` composed as delivery composes it, with a placeholder sender
    /// (`preview@outbox.invalid`) and no signature: for a dry run whose owner cannot send yet.
    public static func contentOnly(_ message: ClaimedMessage, messageID: String, now: Date) throws -> [UInt8] {
        guard let placeholder = try? Mailbox(address: "preview@outbox.invalid") else { throw Problem(reason: "no placeholder sender") }
        return MIMEComposer.compose(MIMEMessage(
            from: placeholder, to: message.recipients.filter { $0.kind == .to }.map(\.mailbox),
            cc: message.recipients.filter { $0.kind == .cc }.map(\.mailbox), subject: message.subject,
            textBody: message.textBody, htmlBody: message.htmlBody, headers: message.headers, attachments: message.attachments,
            messageID: messageID, date: now))
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
