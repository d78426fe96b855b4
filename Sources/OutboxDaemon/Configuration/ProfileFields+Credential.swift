public import OutboxCore
public import OutboxStore
import Foundation

extension ProfileFields {
    /// This layer with the secret its `--password-credential` names read from
    /// `$CREDENTIALS_DIRECTORY`; when it cannot be read, `secretUnavailable` says why, so the
    /// profile is held rather than sent without its password. A stored secret wins. The
    /// environment is read only for a layer that names a credential (copying it costs more
    /// than the rest of a profile read).
    public func readingSecretCredential(environment: @autoclosure () -> [String: String] = ProcessInfo.processInfo.environment) -> ProfileFields {
        guard secret == nil, secretUnavailable == nil, let name = secretCredential else { return self }
        var copy = self
        do { copy.secret = try Credentials.read(name: name, environment: environment()) } catch {
            copy.secretUnavailable = UnavailableSecret(.credential, error.description)
        }
        return copy
    }
}

extension ProfileLayers {
    /// Both layers with their `--password-credential` secrets read; see
    /// ``OutboxCore/ProfileFields/readingSecretCredential(environment:)``.
    public func readingSecretCredentials(environment: @autoclosure () -> [String: String] = ProcessInfo.processInfo.environment) -> ProfileLayers {
        ProfileLayers(own: own?.readingSecretCredential(environment: environment()), global: global?.readingSecretCredential(environment: environment()))
    }
}
