import OutboxCore
import OutboxStore

/// What the engine does after one attempt: record an outcome, or hold the owner's profile.
enum AttemptVerdict {
    case record(DeliveryRecord)
    case hold(reason: String, code: Int?, enhancedCode: String?)
    /// The server may have accepted the message (connection lost after the final "."):
    /// park it as ``UnknownOutcomePolicy`` says, never resend it at once.
    case unknown(detail: String)

    /// Judges an SMTP attempt of `message` (whose open recipients were sent to). With
    /// `profile`, a deferral or hold caused by the connection, TLS or login carries the
    /// ``TroubleshootingHint`` in its text (and so in its event and log line).
    static func judge(
        _ report: DeliveryReport, message: ClaimedMessage, retry: RetryPolicy, now: Int64, random: Double,
        profile: ResolvedProfile? = nil
    ) -> AttemptVerdict {
        let hint = profile.flatMap { TroubleshootingHint.hint(for: report.outcome, transport: report.transport, profile: $0) }
            .map { " — hint: \($0)" } ?? ""
        let reply = report.outcome.reply
        let code = reply?.code, enhanced = reply?.enhancedCode?.description
        let known = Set(message.recipients.filter(\.isOpen).map(\.mailbox.address))
        let results = report.recipients.filter { known.contains($0.address) }
        func outcomes(default state: RecipientState) -> [RecipientOutcome] {
            results.map { result in
                let recipientState: RecipientState = switch (state, result.disposition) {
                case (.sent, .accepted): .sent
                case (_, .rejected): .failed
                case (.sent, .deferred), (.deferred, _): .deferred
                default: state
                }
                return RecipientOutcome(address: result.address, state: recipientState, code: result.reply?.code, reply: result.reply?.text)
            }
        }
        func deferral(_ text: String, _ recipients: [RecipientOutcome]) -> AttemptVerdict {
            switch retry.decide(afterAttempt: message.attempts + 1, createdAt: message.createdAt, now: now, random: random) {
            case .retry(let at):
                return .record(DeliveryRecord(verdict: .deferred(nextAttemptAt: at), code: code, enhancedCode: enhanced, text: text, recipients: recipients))
            case .giveUp:
                let failed = recipients.map { $0.state == .deferred ? RecipientOutcome(address: $0.address, state: .failed, code: $0.code, reply: $0.reply) : $0 }
                return .record(DeliveryRecord(verdict: .expired, code: code, enhancedCode: enhanced,
                                              text: "expired: still not delivered after \(retry.giveUpAfter); last reason: \(text)", recipients: failed))
            }
        }
        switch report.outcome {
        case .sent(let final):
            let recipients = outcomes(default: .sent)
            let open = recipients.filter { $0.state == .deferred }
            let refused = recipients.filter { $0.state == .failed }.count
            var text = "accepted: \(final.code) \(final.text)"
            if refused > 0 { text += "; \(refused) recipient(s) refused" }
            guard open.isEmpty else {
                return deferral("accepted for some recipients, \(open.count) deferred: \(final.code) \(final.text)", recipients)
            }
            return .record(DeliveryRecord(verdict: .sent, code: final.code, enhancedCode: final.enhancedCode?.description,
                                          text: text, recipients: recipients))
        case .deferred(let category, let reply):
            let text = reply.map { "\(category.rawValue): \($0.code) \($0.text)" } ?? "\(category.rawValue): \(report.transport)"
            return deferral(text + hint, outcomes(default: .deferred))
        case .failed(let reply) where ThrottleReplyTable.match(reply)?.defersPermanentReply == true:
            // A provider's quota or block of our sender (Gmail 5.4.5, Outlook.com S3150): not the message's fault.
            let recipients = outcomes(default: .deferred).map {
                $0.state == .failed ? RecipientOutcome(address: $0.address, state: .deferred, code: $0.code, reply: $0.reply) : $0
            }
            return deferral("throttled: \(reply.code) \(reply.text)", recipients)
        case .failed(let reply):
            let recipients = outcomes(default: .failed).map {
                $0.state == .deferred ? RecipientOutcome(address: $0.address, state: .failed, code: $0.code, reply: $0.reply) : $0
            }
            return .record(DeliveryRecord(verdict: .failed, code: reply.code, enhancedCode: reply.enhancedCode?.description,
                                          text: "refused: \(reply.code) \(reply.text)", recipients: recipients))
        case .unknown:
            return .unknown(detail: "unknown: the whole message was sent, then the connection ended without the server's reply (\(report.transport))")
        case .profileProblem(let problem, let reply):
            let detail = reply.map { ": \($0.code) \($0.text)" } ?? " (\(report.transport))"
            return .hold(reason: "\(problem.rawValue)\(detail)\(hint)", code: code, enhancedCode: enhanced)
        }
    }
}
