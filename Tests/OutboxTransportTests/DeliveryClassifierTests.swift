import OutboxCore
import Testing

/// The pure classification from (transport result, replies) to outcome, for cases a test
/// server cannot easily produce.
@Suite struct DeliveryClassifierTests {
    private let ok = TransportResult(status: .completed, code: 0)
    private let lost = TransportResult(status: .connectionLost, code: 56)
    private let greeting = SMTPReply(code: 220, lines: ["mx"])
    private let ehloWithAuth = SMTPReply(code: 250, lines: ["mx", "AUTH PLAIN LOGIN"])
    private let okReply = SMTPReply(code: 250, lines: ["ok"])
    private let go = SMTPReply(code: 354, lines: ["go"])

    private func reply(_ code: Int, _ enhanced: String? = nil) -> SMTPReply {
        SMTPReply(code: code, enhancedCode: enhanced.flatMap { EnhancedStatusCode($0[...]) }, lines: ["text"])
    }

    private func context(new: Bool = true, tls: Bool = false, auth: Bool = false, _ recipients: [String] = ["a@x.test"]) -> SMTPExchange.Context {
        SMTPExchange.Context(newConnection: new, startTLS: tls, hasCredentials: auth, recipients: recipients)
    }

    @Test func reusedConnectionStartsAtMail() {
        let report = DeliveryClassifier.classify(
            ok, replies: [okReply, reply(250), reply(550, "5.1.1"), go, okReply],
            context: context(new: false, ["a@x.test", "b@x.test"]))
        #expect(report.outcome == .sent(okReply))
        #expect(report.recipients.map(\.disposition) == [.accepted, .rejected])
        #expect(report.reusedConnection)
    }

    @Test func startTLSAndAuthArePassedOver() {
        let replies = [greeting, SMTPReply(code: 250, lines: ["mx", "STARTTLS"]), greeting, ehloWithAuth,
                       SMTPReply(code: 334), SMTPReply(code: 235), okReply, reply(451, "4.2.0"), reply(250), go, okReply]
        let report = DeliveryClassifier.classify(ok, replies: replies, context: context(tls: true, auth: true, ["a@x.test", "b@x.test"]))
        #expect(report.outcome == .sent(okReply))
        #expect(report.recipients.map(\.reply?.code) == [451, 250])
    }

    @Test func confirmedDataIsSentWhateverFollows() {
        let replies = [greeting, okReply, okReply, okReply, go, okReply]
        #expect(DeliveryClassifier.classify(lost, replies: replies, context: context()).outcome == .sent(okReply))
    }

    @Test func refusalsAfterTheDataFailOrDefer() {
        let base = [greeting, okReply, okReply, okReply, go]
        #expect(DeliveryClassifier.classify(lost, replies: base + [reply(552, "5.3.4")], context: context()).outcome == .failed(reply(552, "5.3.4")))
        #expect(DeliveryClassifier.classify(lost, replies: base + [reply(452)], context: context()).outcome == .deferred(.temporaryReply, reply(452)))
        #expect(DeliveryClassifier.classify(lost, replies: base, context: context()).outcome == .deferred(.connectionLost, nil))
    }

    @Test func sessionLevelRefusalsBelongToTheProfile() {
        #expect(DeliveryClassifier.classify(lost, replies: [reply(554, "5.7.1")], context: context()).outcome == .profileProblem(.sessionRefused, reply(554, "5.7.1")))
        #expect(DeliveryClassifier.classify(lost, replies: [reply(421)], context: context()).outcome == .deferred(.temporaryReply, reply(421)))
        let helloFailed = [greeting, reply(502), reply(550)]
        #expect(DeliveryClassifier.classify(lost, replies: helloFailed, context: context()).outcome == .profileProblem(.sessionRefused, reply(550)))
        let startTLSRefused = [greeting, okReply, reply(454, "4.7.0")]
        #expect(DeliveryClassifier.classify(TransportResult(status: .tlsNotOffered, code: 64), replies: startTLSRefused, context: context(tls: true)).outcome == .deferred(.tls, reply(454, "4.7.0")))
    }

    @Test(arguments: [(535, ProfileProblem.authenticationRejected), (534, .authenticationRejected), (538, .authenticationRejected),
                      (530, .authenticationRequired), (454, .authenticationUnavailable)])
    func authenticationFailuresBelongToTheProfile(code: Int, problem: ProfileProblem) {
        let denied = TransportResult(status: .loginDenied, code: 67)
        let report = DeliveryClassifier.classify(denied, replies: [greeting, ehloWithAuth, reply(code)], context: context(auth: true))
        #expect(report.outcome == .profileProblem(problem, reply(code)))
    }

    @Test func authWithoutAnEndIsIncomplete() {
        let challenges = [greeting, ehloWithAuth, SMTPReply(code: 334), SMTPReply(code: 334)]
        for status in [TransportResult.Status.timedOut, .loginDenied, .connectionLost] {
            let outcome = DeliveryClassifier.classify(TransportResult(status: status, code: 0), replies: challenges, context: context(auth: true)).outcome
            #expect(outcome == .profileProblem(.authenticationIncomplete, SMTPReply(code: 334)))
        }
        let noMechanism = DeliveryClassifier.classify(TransportResult(status: .loginDenied, code: 67), replies: [greeting, ehloWithAuth], context: context(auth: true))
        #expect(noMechanism.outcome == .profileProblem(.noUsableMechanism, nil))
    }

    @Test func mailRefusalsNamingAuthenticationBelongToTheProfile() {
        let report = DeliveryClassifier.classify(lost, replies: [greeting, okReply, reply(550, "5.7.57")], context: context())
        #expect(report.outcome == .profileProblem(.authenticationRequired, reply(550, "5.7.57")))
        #expect(DeliveryClassifier.classify(lost, replies: [greeting, okReply, reply(553, "5.1.8")], context: context()).outcome == .failed(reply(553, "5.1.8")))
    }

    @Test func everyRecipientRefusedDefersIfAnyRefusalIsTemporary() {
        let replies = [greeting, okReply, okReply, reply(550), reply(450)]
        let report = DeliveryClassifier.classify(lost, replies: replies, context: context(["a@x.test", "b@x.test"]))
        #expect(report.outcome == .deferred(.temporaryReply, reply(450)))
        let partial = DeliveryClassifier.classify(lost, replies: [greeting, okReply, okReply, reply(550)], context: context(["a@x.test", "b@x.test"]))
        #expect(partial.outcome == .deferred(.connectionLost, nil))
        #expect(partial.recipients.map(\.disposition) == [.rejected, .deferred])
    }

    @Test func transportFailuresWithoutRepliesAreDeferred() {
        let cases: [(TransportResult.Status, DeliveryOutcome)] = [
            (.timedOut, .deferred(.timeout, nil)), (.couldNotConnect, .deferred(.connectionRefused, nil)),
            (.couldNotResolve, .deferred(.nameResolution, nil)), (.tlsFailed, .deferred(.tls, nil)),
            (.tlsNotOffered, .profileProblem(.tlsNotOffered, nil)), (.configuration, .profileProblem(.configuration, nil)),
        ]
        for (status, outcome) in cases {
            #expect(DeliveryClassifier.classify(TransportResult(status: status, code: 0), replies: [], context: context()).outcome == outcome)
        }
    }
}
