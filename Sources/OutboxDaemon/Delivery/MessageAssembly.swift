import Foundation
import OutboxCore
import OutboxStore

/// A claimed message composed for one attempt: the bytes and the envelope.
struct MessageAssembly {
    let bytes: [UInt8]
    let mailFrom: Mailbox
    /// Open recipients (not yet accepted or refused), then the archive copy if due.
    let recipients: [Mailbox]
    /// The Message-ID field's value, the same in every attempt of the message.
    var messageID: String?

    /// Composes `message` as `profile` sends it at `now`. Returns the reason, naming the
    /// owner, when it cannot be composed.
    ///
    /// From, Reply-To and the envelope sender are ``SenderPolicy/identity(for:token:)``'s.
    /// With `dkim`, the message is signed as ``DKIMSettings/sign(_:from:mode:keyring:now:)`` says.
    static func make(
        _ message: ClaimedMessage, profile: ResolvedProfile, domain: String?, policy: SenderPolicy = SenderPolicy(),
        suppressed: Set<String> = [], dkim: (settings: DKIMSettings, keyring: DKIMKeyring)? = nil, now: Date
    ) -> Result<MessageAssembly, AssemblyFailure> {
        let identity: SenderIdentity
        switch policy.identity(for: profile, token: message.token) {
        case .success(let value): identity = value
        case .failure(let problem): return .failure(AssemblyFailure(problem.reason))
        }
        let from = identity.from, replyTo = identity.replyTo
        let fromAddress = from.address
        let envelopeSender = identity.envelopeSender
        let idDomain = domain ?? String(fromAddress[fromAddress.index(after: fromAddress.lastIndex(of: "@") ?? fromAddress.startIndex)...])
        let messageID: String
        do { messageID = try MessageID.make(token: message.token, domain: idDomain) } catch {
            return .failure(AssemblyFailure("cannot make a Message-ID for message \(message.id): \(error)"))
        }
        var headers = message.headers
        if message.kind.isUnsubscribable {  // a letter: List-Unsubscribe after the custom headers, signed with them
            guard let token = message.unsubscribeToken else {
                return .failure(AssemblyFailure("letter \(message.id) has no unsubscribe token; it is not sent without List-Unsubscribe"))
            }
            do { headers += try policy.listUnsubscribeFields(token: token) } catch {
                return .failure(AssemblyFailure(OutboxDatabase.configurationHoldPrefix + error.reason, holdsProfile: true))
            }
        }
        let mime = MIMEMessage(
            from: from, replyTo: replyTo,
            to: message.recipients.filter { $0.kind == .to }.map(\.mailbox),
            cc: message.recipients.filter { $0.kind == .cc }.map(\.mailbox),
            subject: message.subject, textBody: message.textBody, htmlBody: message.htmlBody,
            headers: headers, attachments: message.attachments, messageID: messageID, date: now)
        var recipients = message.recipients.filter { $0.isOpen && !suppressed.contains($0.mailbox.address.lowercased()) }.map(\.mailbox)
        let alreadyAccepted = message.recipients.contains { $0.state == .sent }
        if !alreadyAccepted, let archive = profile.archiveBcc.flatMap({ try? Mailbox.parse($0) }),
            !recipients.contains(where: { $0.address == archive.address }) {
            recipients.append(archive)
        }
        var bytes = MIMEComposer.compose(mime)
        if let dkim {  // DKIM-Signature fields in front of the exact bytes sent
            switch dkim.settings.sign(bytes, from: from, mode: profile.mode, keyring: dkim.keyring, now: now) {
            case .success(let signed): bytes = signed
            case .failure(let failure): return .failure(failure)
            }
        }
        return .success(MessageAssembly(bytes: bytes, mailFrom: envelopeSender, recipients: recipients, messageID: messageID))
    }
}
