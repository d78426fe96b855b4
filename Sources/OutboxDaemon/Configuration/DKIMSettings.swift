import Foundation
public import OutboxCore
import OutboxStore

/// `[dkim]`: which sender modes sign their mail with DKIM (`sign-modes`, default `system
/// reply-to`: the modes that send as the company's domains through the shared relay; an own
/// server such as Gmail or Microsoft 365 signs for itself). The signing domain is the From
/// address's domain, and its keys are the ones `outbox dkim keygen` stored.
public struct DKIMSettings: Sendable, Equatable {
    public var signModes: Set<SenderMode> = [.system, .replyTo]

    public init() {}

    /// Parses `sign-modes`: mode names separated by spaces or commas; `none` (or nothing)
    /// turns signing off.
    static func signModes(_ text: String, _ parse: ConfigurationValueParser) throws(ConfigurationError) -> Set<SenderMode> {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }).map { $0.lowercased() }
        if words == ["none"] { return [] }
        var modes: Set<SenderMode> = []
        for word in words {
            guard let mode = SenderMode(rawValue: word) else {
                let known = SenderMode.allCases.map(\.rawValue).joined(separator: ", ")
                throw ConfigurationError(.invalidValue, file: parse.file, line: parse.line,
                                         reason: "\(parse.name): unknown sender mode '\(word)' (known: \(known), or none)")
            }
            modes.insert(mode)
        }
        return modes
    }

    /// `bytes` signed for `from` when `mode` signs: a `DKIM-Signature` per key of From's
    /// domain (RSA and Ed25519 when both exist). A mode that signs with no usable key is a
    /// failure that holds the profile (reason `dkim: …`): such mail is never sent unsigned.
    func sign(_ bytes: [UInt8], from: Mailbox, mode: SenderMode, keyring: DKIMKeyring, now: Date) -> Result<[UInt8], AssemblyFailure> {
        guard signModes.contains(mode) else { return .success(bytes) }
        let domain = String(from.address[from.address.index(after: from.address.lastIndex(of: "@") ?? from.address.startIndex)...]).lowercased()
        do {
            let keys = try keyring.keys(domain: domain, now: OutboxDatabase.milliseconds(now))
            guard !keys.isEmpty else {
                return .failure(AssemblyFailure(
                    "dkim: mode \(mode.rawValue) signs with DKIM, but there is no key for \(domain): "
                        + "outbox dkim keygen --domain \(domain) --selector SELECTOR (or leave \(mode.rawValue) out of [dkim] sign-modes)",
                    holdsProfile: true))
            }
            return .success(try DKIMSigner.sign(bytes, keys: keys, time: Int64(now.timeIntervalSince1970)))
        } catch {
            return .failure(AssemblyFailure("dkim: cannot sign mail from \(domain): \(error.reason)", holdsProfile: true))
        }
    }
}
