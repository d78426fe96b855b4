import Hummingbird
import OutboxStore

/// Hummingbird's request context plus the API token that authenticated the request.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by ``TokenMiddleware`` for every `/v1` request that gets past it.
    var token: APITokenRecord?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// The token's owner limit, nil for a token that may act for every owner.
    var owners: [String]? { token?.owners }

    /// Whether the token may see mail of `owner`.
    func allows(owner: String) -> Bool { token?.allows(owner: owner) ?? false }
}
