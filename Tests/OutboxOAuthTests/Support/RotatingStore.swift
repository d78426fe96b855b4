import Foundation
import OutboxTransport

/// An ``OAuthStateStore`` whose refresh token changes after the first read, as when another
/// process rotates it between this provider's read and its refresh.
final class RotatingStore: OAuthStateStore, @unchecked Sendable {
    private let lock = NSLock()
    private var reads = 0
    private let authority: OAuthAuthority
    private(set) var saved: [OAuthTokenSet] = []

    init(authority: OAuthAuthority) { self.authority = authority }

    func oauthState(owner: String) throws -> OAuthState? {
        lock.lock()
        defer { lock.unlock() }
        reads += 1
        let refresh = reads == 1 ? "rt-rotated-away" : "rt-seed"
        return OAuthState(authority: authority, clientID: "test-client", refreshToken: OAuthToken(refresh),
                          accessToken: OAuthToken("at-old"), expiresAt: 0)
    }

    func saveOAuthTokens(owner: String, _ tokens: OAuthTokenSet) throws {
        lock.lock()
        defer { lock.unlock() }
        saved.append(tokens)
    }
}
