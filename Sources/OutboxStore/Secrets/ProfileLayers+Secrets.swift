public import OutboxCore

extension ProfileLayers {
    /// Why an owner's profile cannot send as resolved: a secret it would use is stored
    /// sealed and could not be opened (no key, or another key). Nil when it can send.
    /// Only a secret the resolution actually picks counts: an owner with a password of
    /// its own is not held because the company profile's cannot be opened.
    public func unavailableSecret(owner: String, system: ProfileFields) -> String? {
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
        return resolved.origins["secret"] == .global ? "company profile: \(global?.secretUnavailable ?? "")" : own?.secretUnavailable
    }
}
