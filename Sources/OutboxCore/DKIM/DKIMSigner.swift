import Crypto

/// One key to sign with: the signing domain (`d=`), the selector (`s=`) and the private key.
public struct DKIMSigningKey: Sendable {
    public let domain: String
    public let selector: String
    public let privateKey: DKIMPrivateKey

    public init(domain: String, selector: String, privateKey: DKIMPrivateKey) {
        self.domain = domain
        self.selector = selector
        self.privateKey = privateKey
    }
}

/// DKIM signing (RFC 6376, RFC 8463): `relaxed/relaxed`, SHA-256, one `DKIM-Signature`
/// field per key, put in front of the message. The body hash covers the exact bytes sent.
public enum DKIMSigner {
    /// The fields signed when present, in this order; From is also signed once more than
    /// it occurs, so no From can be added to a signed message.
    public static let signedFieldNames = [
        "From", "To", "Cc", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type", "Reply-To",
        "List-Unsubscribe", "List-Unsubscribe-Post",
    ]

    /// `message` with one `DKIM-Signature` field per key in front, in the order of `keys`.
    ///
    /// - Parameters:
    ///   - message: the whole message, CRLF line ends, as it will be sent.
    ///   - time: the signature time (`t=`), Unix seconds.
    public static func sign(_ message: [UInt8], keys: [DKIMSigningKey], time: Int64) throws(DKIMError) -> [UInt8] {
        let fields = try signatureFields(for: message, keys: keys, time: time)
        var signed: [UInt8] = []
        signed.reserveCapacity(fields.count + message.count)
        signed.append(contentsOf: fields)
        signed.append(contentsOf: message)
        return signed
    }

    /// The `DKIM-Signature` fields (each ending in CRLF) for `message`, one per key.
    public static func signatureFields(for message: [UInt8], keys: [DKIMSigningKey], time: Int64) throws(DKIMError) -> [UInt8] {
        guard !keys.isEmpty else { return [] }
        let result: Result<[UInt8], DKIMError> = message.withUnsafeBufferPointer { bytes in
            let block = DKIMHeaderBlock(bytes)
            var signedNames: [String] = []
            var canonicalHeaders: [UInt8] = []
            for name in signedFieldNames {
                let present = block.fields(named: name)
                if name == "From" && present.isEmpty { return .failure(DKIMError(.noFromField, "the message has no From field to sign")) }
                // A verifier takes same-named fields from the bottom up.
                for field in present.reversed() {
                    signedNames.append(name.lowercased())
                    canonicalHeaders.append(contentsOf: DKIMCanonicalization.relaxedHeader(UnsafeBufferPointer(rebasing: bytes[field.range])))
                    canonicalHeaders.append(contentsOf: [13, 10])
                }
                if name == "From" { signedNames.append("from") }
            }
            let bodyHash = bodyHash(UnsafeBufferPointer(rebasing: bytes[block.bodyStart...]))
            var output: [UInt8] = []
            for key in keys {
                do throws(DKIMError) {
                    output.append(contentsOf: try signatureField(
                        key: key, time: time, signedNames: signedNames, bodyHash: bodyHash, canonicalHeaders: canonicalHeaders))
                } catch {
                    return .failure(error)
                }
            }
            return .success(output)
        }
        return try result.get()
    }

    /// The base64 SHA-256 of the relaxed canonical body (`bh=`).
    static func bodyHash(_ body: UnsafeBufferPointer<UInt8>) -> String {
        var hasher = Crypto.SHA256()
        DKIMCanonicalization.relaxedBody(body) { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        return String(decoding: Base64Encoder.encode(Array(hasher.finalize())), as: UTF8.self)
    }

    /// One `DKIM-Signature` field: the tags, folded, then `b=` computed over the signed
    /// fields and this field with an empty `b=` (RFC 6376 §3.7), folded after it.
    static func signatureField(
        key: DKIMSigningKey, time: Int64, signedNames: [String], bodyHash: String, canonicalHeaders: [UInt8]
    ) throws(DKIMError) -> [UInt8] {
        var field = DKIMFieldWriter()
        field.tag("v=1;")
        field.tag("a=\(key.privateKey.algorithm.rawValue);")
        field.tag("c=relaxed/relaxed;")
        field.tag("d=\(key.domain);")
        field.tag("s=\(key.selector);")
        field.tag("t=\(time);")
        field.list("h=", signedNames, separator: ":", terminator: ";")
        field.tag("bh=\(bodyHash);")
        field.tag("b=")
        var signedData = canonicalHeaders
        signedData.append(contentsOf: DKIMCanonicalization.relaxedHeader(field.bytes))
        let signature = try key.privateKey.sign(signedData)
        field.folded(Base64Encoder.encode(signature))
        return field.finish()
    }
}
