/// Where the delivery engine gets an OAuth access token for an owner's `m365-oauth`
/// profile at send time.
public protocol AccessTokenSource: Sendable {
    /// A valid access token (refreshed first when it is about to expire). Throws a value
    /// whose description says what to do, e.g. re-authorise with `outbox profile oauth`.
    func accessToken(owner: String, now: Int64) throws -> String

    /// A new access token after the server refused `rejected` (535): refreshed once, even
    /// when several workers report the same rejected token.
    func refreshAfterRejection(owner: String, rejected: String, now: Int64) throws -> String
}
