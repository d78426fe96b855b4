/// Classifies one delivery attempt: 2xx after the data → sent; 4xx, timeouts, refused or
/// lost connections and TLS handshake failures → deferred; 5xx → failed; a connection lost
/// or timed out after the whole body was sent, before the reply to it → unknown; authentication
/// and TLS-availability failures, and a server refusing the session → profile problem.
public enum DeliveryClassifier {
    /// The report for an attempt that ended with `transport` after the server sent `replies`.
    public static func classify(
        _ transport: TransportResult, replies: [SMTPReply], context: SMTPExchange.Context
    ) -> DeliveryReport {
        let exchange = SMTPExchange(replies: replies, context: context)
        return DeliveryReport(
            outcome: outcome(transport, exchange), recipients: exchange.recipients,
            replies: replies, transport: transport, reusedConnection: !context.newConnection)
    }

    /// The verdict for an attributed exchange.
    public static func outcome(_ transport: TransportResult, _ exchange: SMTPExchange) -> DeliveryOutcome {
        // The server confirmed (or refused) the data: that is final, whatever came after.
        if let final = exchange.final {
            return final.isPositive ? .sent(final) : refusal(final, at: .final)
        }
        // The body and its final "." went out and the reply never came: the server may have
        // accepted the message (RFC 1047). A resend could be a duplicate.
        if exchange.bodySent, transport.status != .completed { return .unknown }
        if let stage = exchange.lastStage, let last = exchange.lastReply {
            if stage == .recipients, exchange.recipients.allSatisfy({ $0.reply != nil }), !exchange.recipients.contains(where: \.accepted) {
                return noRecipientAccepted(exchange.recipients)
            }
            if stage != .recipients, last.code >= 400 { return refusal(last, at: stage) }
            if stage == .auth, last.code == 334 { return .profileProblem(.authenticationIncomplete, last) }
        }
        switch transport.status {
        case .configuration: return .profileProblem(.configuration, nil)
        case .tlsNotOffered: return .profileProblem(.tlsNotOffered, nil)
        case .loginDenied: return .profileProblem(.noUsableMechanism, nil)
        case .timedOut: return .deferred(.timeout, nil)
        case .couldNotConnect: return .deferred(.connectionRefused, nil)
        case .couldNotResolve: return .deferred(.nameResolution, nil)
        case .connectionLost: return .deferred(.connectionLost, nil)
        case .tlsFailed: return .deferred(.tls, nil)
        case .unexpectedReply, .completed: return .deferred(.protocolError, exchange.lastReply)
        case .other: return .deferred(.other, nil)
        }
    }

    /// The verdict for a negative (4xx/5xx) reply that ended the transaction at `stage`.
    static func refusal(_ reply: SMTPReply, at stage: SMTPExchange.Stage) -> DeliveryOutcome {
        switch stage {
        case .greeting, .hello:
            return reply.isPermanent ? .profileProblem(.sessionRefused, reply) : .deferred(.temporaryReply, reply)
        case .startTLS:
            return reply.isPermanent ? .profileProblem(.tlsNotOffered, reply) : .deferred(.tls, reply)
        case .auth:
            if reply.code == 454 { return .profileProblem(.authenticationUnavailable, reply) }
            if reply.code == 530 { return .profileProblem(.authenticationRequired, reply) }
            return reply.isPermanent ? .profileProblem(.authenticationRejected, reply) : .deferred(.temporaryReply, reply)
        case .mail, .recipients, .data, .final:
            if reply.code == 530 || reply.enhancedCode == EnhancedStatusCode(statusClass: 5, subject: 7, detail: 57) {
                return .profileProblem(.authenticationRequired, reply)
            }
            return reply.isPermanent ? .failed(reply) : .deferred(.temporaryReply, reply)
        }
    }

    /// Every recipient refused: deferred if any refusal was temporary, else failed.
    static func noRecipientAccepted(_ recipients: [RecipientResult]) -> DeliveryOutcome {
        let replies = recipients.compactMap(\.reply)
        if let authRequired = replies.first(where: { $0.code == 530 }) {
            return .profileProblem(.authenticationRequired, authRequired)
        }
        if let transient = replies.first(where: { !$0.isPermanent }) {
            return .deferred(.temporaryReply, transient)
        }
        guard let permanent = replies.first else { return .deferred(.protocolError, nil) }
        return .failed(permanent)
    }
}
