public import OutboxCore

extension ProfileLayers {
    /// Why an owner's profile cannot send as resolved: a secret it would use cannot be
    /// used (a sealed secret this process cannot open, a credential it cannot read). Nil
    /// when it can send. Only a secret the resolution actually picks counts: an owner with
    /// a password of its own is not held because the company profile's cannot be opened.
    public func secretProblem(owner: String, system: ProfileFields) -> UnavailableSecret? {
        let problems = [own?.secretUnavailable, global?.secretUnavailable]
        guard problems.contains(where: { $0 != nil }) else { return nil }
        // Resolve once more with a marker where a secret could not be opened: if the
        // marker is what resolution picks, the profile needs that secret.
        let marker = "\u{0}unavailable-secret-\(UInt64.random(in: 0...UInt64.max))"
        func probe(_ layer: ProfileFields?) -> ProfileFields? {
            guard var layer, layer.secretUnavailable != nil else { return layer }
            layer.secret = marker
            return layer
        }
        let resolved = ProfileResolver.resolve(owner: owner, own: probe(own), global: probe(global), system: system)
        guard resolved.secret == marker else { return nil }
        return resolved.origins["secret"] == .global ? global?.secretUnavailable?.from("company profile") : own?.secretUnavailable
    }

    /// The reason to hold the owner's messages for while ``secretProblem(owner:system:)``
    /// finds one (see ``OutboxCore/UnavailableSecret/holdReason``); nil when it can send.
    public func unavailableSecret(owner: String, system: ProfileFields) -> String? {
        secretProblem(owner: owner, system: system)?.holdReason
    }
}
