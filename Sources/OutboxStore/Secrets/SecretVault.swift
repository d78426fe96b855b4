import Foundation
import Synchronization

/// The private secrets key of one process, read from its ``SecretKeySource`` when first
/// needed and kept. When a value is sealed for another key (the key was rotated or put
/// back meanwhile) the source is read again, at most once a second. Opened values are kept
/// by their sealed bytes (a claim reads its owners' profiles every time; HPKE is not free),
/// at most ``openedLimit`` of them.
public final class SecretVault: Sendable {
    public let source: SecretKeySource
    /// The last read: the key, or why there is none, and when.
    private let loaded = Mutex<(result: Result<SecretKey, SecretError>, at: ContinuousClock.Instant)?>(nil)
    /// Opened values by sealed bytes and context (which the sealed bytes are authenticated with).
    private let opened = Mutex<[OpenedKey: String]>([:])
    static let openedLimit = 4096

    private struct OpenedKey: Hashable {
        let sealed: Data
        let context: SecretContext
    }

    public init(source: SecretKeySource) {
        self.source = source
    }

    /// The private key; `wanted` (a key id) makes a cached key of another id be read again.
    public func key(wanted: String? = nil) throws(SecretError) -> SecretKey {
        let result = loaded.withLock { cache -> Result<SecretKey, SecretError> in
            let now = ContinuousClock.now
            if let cache {
                let fresh = now - cache.at < .seconds(1)
                switch cache.result {
                case .success(let key) where wanted == nil || key.id == wanted: return cache.result
                default: if fresh { return cache.result }
                }
            }
            let result = Result { () throws(SecretError) -> SecretKey in try load(wanted: wanted) }
            cache = (result, now)
            return result
        }
        return try result.get()
    }

    /// Forgets the cached key: the next use reads the source again.
    package func forget() {
        loaded.withLock { $0 = nil }
        opened.withLock { $0 = [:] }
    }

    /// Opens a sealed value.
    package func open(_ sealed: Data, context: SecretContext) throws(SecretError) -> String {
        let cacheKey = OpenedKey(sealed: sealed, context: context)
        if let value = opened.withLock({ $0[cacheKey] }) { return value }
        let value = try SealedSecret.open(sealed, with: try key(wanted: SealedSecret.keyID(sealed)), context: context)
        opened.withLock { cache in
            if cache.count >= Self.openedLimit { cache.removeAll() }
            cache[cacheKey] = value
        }
        return value
    }

    private func load(wanted: String?) throws(SecretError) -> SecretKey {
        let key = try source.read()
        // A rotation that stopped between its commit and putting the new key in place leaves it at PATH.new.
        if source.kind == .file, let wanted, key?.id != wanted, let pending = try? SecretKeySource.read(path: source.path + ".new", origin: source.path + ".new"),
            pending.id == wanted, rename(source.path + ".new", source.path) == 0
        {
            SecretKeySource.syncDirectory((source.path as NSString).deletingLastPathComponent)
            return pending
        }
        guard let key else {
            throw SecretError(.keyMissing, "no secrets key: \(source) does not exist (see `outbox secrets status`)")
        }
        return key
    }

    /// This process's key; when there is none at a key file and `mayCreate`, a new one
    /// written there (another process's, when it created one meanwhile). Else `refusal`
    /// (``SecretError/Code/noPublicKey``) when the key is missing.
    package func existingOrNewKey(mayCreate: Bool, refusal: @autoclosure () -> String) throws -> SecretKey {
        let missing: SecretError
        do { return try key() } catch { missing = error }
        guard missing.code == .keyMissing, source.kind == .file else { throw missing }
        guard mayCreate else { throw SecretError(.noPublicKey, refusal()) }
        do {
            try SecretKeySource.write(SecretKey.generate(), to: source.path)
        } catch {
            // Another process may have created it meanwhile: then use theirs.
            guard FileManager.default.fileExists(atPath: source.path) else { throw error }
        }
        forget()
        return try key()
    }

    /// Replaces the secrets key around a store's transaction: checks that this key is the
    /// one the store's secrets are sealed for (`published`), writes the new key first (to
    /// `newKeyFile`, else beside the key file as `.new`), runs `reseal` (every secret
    /// opened with the old key and sealed to the new one, the new public key published, in
    /// one transaction; it returns how many), then puts the new key in place of the key file.
    package func rotate(published: SecretPublicKey?, newKeyFile: String?, reseal: (_ old: SecretKey, _ new: SecretKey) throws -> Int) throws -> SecretsRotation {
        let old = try key()
        if let published, published.id != old.id {
            throw SecretError(.wrongKey, "the database's secrets are sealed for key \(published.id), but \(source) holds key "
                + "\(old.id); put the right key back first. Nothing was changed")
        }
        guard let target = newKeyFile ?? (source.kind == .file ? source.path + ".new" : nil) else {
            throw SecretError(.keyNotWritten, "the key comes from \(source), which Outbox cannot replace: give --new-key-file PATH "
                + "and install the new key as the credential. Nothing was changed")
        }
        let new = SecretKey.generate()
        try SecretKeySource.write(new, to: target)
        let count: Int
        do {
            count = try reseal(old, new)
        } catch {
            unlink(target)
            throw error
        }
        var replacedKeyFile = false
        if newKeyFile == nil {
            guard rename(target, source.path) == 0 else {
                throw SecretError(.keyNotWritten, "the secrets were sealed to the new key, but it could not replace \(source.path) "
                    + "(\(String(cString: strerror(errno)))): move \(target) there")
            }
            SecretKeySource.syncDirectory((source.path as NSString).deletingLastPathComponent)
            replacedKeyFile = true
        }
        forget()
        return SecretsRotation(oldKeyID: old.id, newKeyID: new.id, resealed: count, newKeyPath: replacedKeyFile ? source.path : target,
                               replacedKeyFile: replacedKeyFile)
    }
}
