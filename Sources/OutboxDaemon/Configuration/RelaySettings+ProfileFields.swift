public import OutboxCore

extension RelaySettings {
    /// The system relay as the profile layer `system` and `reply-to` owners resolve against.
    /// With `environment`, the password is read from the relay's systemd credential
    /// (`$CREDENTIALS_DIRECTORY/NAME`); without it, the secret is left out.
    public func profileFields(readingCredentialFrom environment: [String: String]?) throws(CredentialError) -> ProfileFields {
        var fields = ProfileFields()
        fields.host = host
        fields.port = port
        fields.tls = tls
        fields.username = username
        if let environment, let passwordCredential {
            fields.secret = try Credentials.read(name: passwordCredential, environment: environment)
        }
        fields.verifyTLS = verifyTLS
        fields.caFile = caFile
        fields.bindAddress = bindAddress
        return fields
    }
}
