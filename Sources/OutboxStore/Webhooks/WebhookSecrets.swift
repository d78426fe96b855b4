import Foundation

/// Webhook signing secrets at rest, for every store: sealed (``SealedSecret``) to the
/// secrets public key published in the store, each for its endpoint (`webhook-ID`).
package enum WebhookSecrets {
    /// The sealing context of endpoint `id`'s secret.
    static func context(_ id: Int64) -> SecretContext {
        SecretContext(owner: OutboxDatabase.webhookSecretOwner(id), field: .webhookSecret)
    }

    /// `secret` sealed for endpoint `id` to the public key `published` (the store's `setting`
    /// row); with none published yet, to this process's key from `vault` (created at its key
    /// file when there is none), whose public key is returned to be published.
    package static func seal(_ secret: String, endpointID id: Int64, published: String?, vault: SecretVault) throws -> (sealed: Data, publish: String?) {
        if let published {
            return (try SealedSecret.seal(secret, to: try SecretPublicKey(text: published), context: context(id)), nil)
        }
        let key = try vault.existingOrNewKey(mayCreate: true, refusal: "no secrets public key is published and this process has no secrets key to publish")
        return (try SealedSecret.seal(secret, to: key.publicKey, context: context(id)), key.publicKey.text)
    }

    /// Endpoint `id`'s secret opened with `vault`'s key, or why it does not open.
    package static func open(_ sealed: Data, endpointID id: Int64, vault: SecretVault) -> (secret: String?, problem: String?) {
        do {
            return (try vault.open(sealed, context: context(id)), nil)
        } catch {
            return (nil, error.reason)
        }
    }

    /// The `setting` row holding the public key every writer seals to.
    package static var publicKeySetting: String { OutboxDatabase.secretsPublicKeySetting }
}
