import Foundation
import OutboxCore
import OutboxStore

/// A claimed message composed for one attempt: the bytes and the envelope.
struct MessageAssembly {
    let bytes: [UInt8]
    let mailFrom: Mailbox
    /// Open recipients (not yet accepted or refused), then the archive copy if due.
    let recipients: [Mailbox]

    /// Composes `message` as `profile` sends it at `now`. Returns the reason, naming the
    /// owner, when it cannot be composed.
    ///
    /// In `reply-to` mode the From is the company address on the event domain (with the
    /// owner's display name), Reply-To is the owner, and the envelope sender is a VERP
    /// bounce address carrying the message's token, so bounces come back to Outbox.
    static func make(
        _ message: ClaimedMessage, profile: ResolvedProfile, domain: String?, policy: SenderPolicy = SenderPolicy(),
        suppressed: Set<String> = [], now: Date
    ) -> Result<MessageAssembly, AssemblyFailure> {
        guard let ownerAddress = profile.fromAddress, !ownerAddress.isEmpty else {
            return .failure(AssemblyFailure("no From address is known for owner \(message.owner): set from_address in its profile or the company profile"))
        }
        let owner: Mailbox
        do { owner = try Mailbox(address: ownerAddress, displayName: profile.fromName) } catch {
            return .failure(AssemblyFailure("the From address of owner \(message.owner) is invalid: \(error)"))
        }
        var from = owner
        var replyTo = profile.replyTo.flatMap { try? Mailbox.parse($0) }.map { [$0] } ?? []
        if profile.mode == .replyTo {
            guard let company = policy.replyToFrom else {
                return .failure(AssemblyFailure("owner \(message.owner) uses reply-to mode, but [reply-to] company-address and event-domain are not configured"))
            }
            from = (try? Mailbox(address: company.address, displayName: profile.fromName ?? company.displayName)) ?? company
            if replyTo.isEmpty { replyTo = [owner] }
        }
        let fromAddress = from.address
        let envelopeSender = policy.verpSender(mode: profile.mode, token: message.token) ?? from
        let idDomain = domain ?? String(fromAddress[fromAddress.index(after: fromAddress.lastIndex(of: "@") ?? fromAddress.startIndex)...])
        let messageID: String
        do { messageID = try MessageID.make(token: message.token, domain: idDomain) } catch {
            return .failure(AssemblyFailure("cannot make a Message-ID for message \(message.id): \(error)"))
        }
        let mime = MIMEMessage(
            from: from, replyTo: replyTo,
            to: message.recipients.filter { $0.kind == .to }.map(\.mailbox),
            cc: message.recipients.filter { $0.kind == .cc }.map(\.mailbox),
            subject: message.subject, textBody: message.textBody, htmlBody: message.htmlBody,
            headers: message.headers, attachments: message.attachments, messageID: messageID, date: now)
        var recipients = message.recipients.filter { $0.isOpen && !suppressed.contains($0.mailbox.address.lowercased()) }.map(\.mailbox)
        let alreadyAccepted = message.recipients.contains { $0.state == .sent }
        if !alreadyAccepted, let archive = profile.archiveBcc.flatMap({ try? Mailbox.parse($0) }),
            !recipients.contains(where: { $0.address == archive.address }) {
            recipients.append(archive)
        }
        return .success(MessageAssembly(bytes: MIMEComposer.compose(mime), mailFrom: envelopeSender, recipients: recipients))
    }
}
