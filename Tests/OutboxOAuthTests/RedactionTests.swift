import OutboxStore
import OutboxTransport
import Testing

/// Tokens never show in descriptions, debug descriptions or dumps.
struct RedactionTests {
    @Test func tokenValuesAreRedacted() throws {
        let token = OAuthToken("at-secret-1234")
        let set = OAuthTokenSet(accessToken: token, refreshToken: OAuthToken("rt-secret-5678"), expiresAt: 1)
        let state = OAuthState(authority: try OAuthAuthority(), clientID: "c", refreshToken: OAuthToken("rt-secret-5678"),
                               accessToken: token, expiresAt: 1)
        var dumped = ""
        dump(state, to: &dumped)
        dump(token, to: &dumped)
        let texts = ["\(token)", String(reflecting: token), "\(set)", String(reflecting: set), "\(state)", String(reflecting: state), dumped]
        for text in texts {
            #expect(!text.contains("secret"), "\(text)")
        }
    }
}
