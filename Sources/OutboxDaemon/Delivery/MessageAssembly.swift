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
    static func make(_ message: ClaimedMessage, profile: ResolvedProfile, domain: String?, now: Date) -> Result<MessageAssembly, AssemblyFailure> {
        guard let fromAddress = profile.fromAddress, !fromAddress.isEmpty else {
            return .failure(AssemblyFailure("no From address is known for owner \(message.owner): set from_address in its profile or the company profile"))
        }
        let from: Mailbox
        do { from = try Mailbox(address: fromAddress, displayName: profile.fromName) } catch {
            return .failure(AssemblyFailure("the From address of owner \(message.owner) is invalid: \(error)"))
        }
        let replyTo = profile.replyTo.flatMap { try? Mailbox.parse($0) }.map { [$0] } ?? []
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
        var recipients = message.recipients.filter(\.isOpen).map(\.mailbox)
        let alreadyAccepted = message.recipients.contains { $0.state == .sent }
        if !alreadyAccepted, let archive = profile.archiveBcc.flatMap({ try? Mailbox.parse($0) }),
            !recipients.contains(where: { $0.address == archive.address }) {
            recipients.append(archive)
        }
        return .success(MessageAssembly(bytes: MIMEComposer.compose(mime), mailFrom: from, recipients: recipients))
    }
}
