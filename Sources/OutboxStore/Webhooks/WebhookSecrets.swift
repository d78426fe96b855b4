import Foundation

/// Webhook signing secrets at rest, for every store: sealed (``SealedSecret``) to the
/// secrets public key published in the store, each for its endpoint (`webhook-ID`).
package enum WebhookSecrets {
    /// The sealing context of endpoint `id`'s secret.
    static func context(_ id: Int64) -> SecretContext {
        SecretContext(owner: OutboxDatabase.webhookSecretOwner(id), field: .webhookSecret)
    }

    /// `secret` sealed for endpoint `id` to the store's published public `key`.
    package static func seal(_ secret: String, endpointID id: Int64, to key: SecretPublicKey) throws -> Data {
        try SealedSecret.seal(secret, to: key, context: context(id))
    }

    /// Endpoint `id`'s secret opened with `vault`'s key, or why it does not open.
    package static func open(_ sealed: Data, endpointID id: Int64, vault: SecretVault) -> (secret: String?, problem: String?) {
        do {
            return (try vault.open(sealed, context: context(id)), nil)
        } catch {
            return (nil, error.reason)
        }
    }
}
