import Foundation
import OutboxCore
@testable import OutboxDaemon
import OutboxTransport
import Synchronization
import Testing

/// The one route builder: planning is pure (no token fetch), authorising is the explicit
/// step that fetches a token; app passwords lose their spaces whichever layer they come from.
@Suite struct DeliveryRouteTests {
    /// An access-token source that counts its calls.
    final class CountingTokens: AccessTokenSource {
        let calls = Mutex(0)
        func accessToken(owner: String, now: Int64) throws -> String {
            calls.withLock { $0 += 1 }
            return "fresh-access-token"
        }
        func refreshAfterRejection(owner: String, rejected: String, now: Int64) throws -> String { "refreshed" }
    }

    private func resolve(own: ProfileFields, global: ProfileFields? = nil) -> ResolvedProfile {
        ProfileResolver.resolve(owner: "anne", own: own, global: global, system: ProfileFields())
    }

    @Test func planningDoesNotFetchATokenAuthorisingDoes() throws {
        var own = ProfileFields()
        own.mode = .m365OAuth
        own.username = "anne@firma.example"
        own.secret = "stored-password-not-a-token"
        let tokens = CountingTokens()
        var configuration = DeliveryConfiguration()
        configuration.accessTokens = tokens
        guard case .smtp(let planned) = DeliveryRoute.plan(resolve(own: own), configuration: configuration) else {
            Issue.record("an m365-oauth profile routes over SMTP")
            return
        }
        #expect(tokens.calls.withLock { $0 } == 0)
        #expect(planned.usesOAuth && planned.endpoint.host == "smtp.office365.com" && planned.endpoint.port == 587)
        let route = try planned.authorise(tokens: tokens, now: 0)
        #expect(tokens.calls.withLock { $0 } == 1)
        #expect(route.credentials.mechanism == .xoauth2 && route.key.secret == "fresh-access-token")
        #expect(!"\(planned)\(route)".contains("fresh-access-token") && !"\(planned)".contains("stored-password"))
    }

    @Test func aStoredAppPasswordWithSpacesIsSentWithoutThemWhenTheCompanyHostIsGmail() throws {
        var company = ProfileFields()
        company.mode = .smtp
        company.host = "smtp.gmail.com"
        company.port = 465
        var own = ProfileFields()
        own.username = "mari@firma.ee"
        own.secret = "abcd efgh ijkl mnop"
        guard case .smtp(let planned) = DeliveryRoute.plan(resolve(own: own, global: company), configuration: DeliveryConfiguration()) else {
            Issue.record("an smtp profile routes over SMTP")
            return
        }
        #expect(try planned.authorise(tokens: nil, now: 0).key.secret == "abcdefghijklmnop")
        #expect(planned.endpoint.tls == .implicitTLS)

        company.host = "mail.firma.ee"
        guard case .smtp(let other) = DeliveryRoute.plan(resolve(own: own, global: company), configuration: DeliveryConfiguration()) else { return }
        #expect(try other.authorise(tokens: nil, now: 0).key.secret == "abcd efgh ijkl mnop")
    }

    @Test func noFromAnywhereIsAFixableProfileProblem() {
        var own = ProfileFields()
        own.mode = .smtp
        own.host = "mail.firma.ee"
        own.username = "jaan"
        guard case .misconfigured(let reason) = DeliveryRoute.plan(resolve(own: own), configuration: DeliveryConfiguration()) else {
            Issue.record("a profile without From cannot send")
            return
        }
        #expect(reason.contains("outbox profile set anne --from ADDRESS") && !reason.contains("from_address"))
    }
}
