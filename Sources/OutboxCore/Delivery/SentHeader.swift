import Crypto

/// What is kept of a message as it was sent, so the exact bytes can be shown again later:
/// the header block as sent (DKIM signatures, Date, From … through the empty line) and the
/// SHA-256 of all the bytes. The body is not kept twice: composing the stored message again
/// gives it (composition is deterministic), and the hash proves the result is what was sent.
public struct SentHeader: Sendable, Hashable {
    /// The header block, ending with the empty line's CRLF.
    public let header: [UInt8]
    /// Lower-case hex SHA-256 of the whole message as sent.
    public let sha256: String

    public init(header: [UInt8], sha256: String) {
        self.header = header
        self.sha256 = sha256
    }

    /// What to keep of `bytes`, the message exactly as handed to the transport.
    public init(sentBytes bytes: [UInt8]) {
        let end = Self.headerEnd(bytes) ?? bytes.count
        header = Array(bytes[..<end])
        sha256 = Self.hex(bytes)
    }

    /// The Message-ID in the header, without angle brackets (the composer derives the MIME
    /// boundaries from it).
    public var messageID: String? {
        header.withUnsafeBufferPointer { bytes in
            guard let field = DKIMHeaderBlock(bytes).fields(named: "Message-ID").first else { return nil }
            let value = bytes[field.range].drop { $0 != UInt8(ascii: "<") }.dropFirst().prefix { $0 != UInt8(ascii: ">") }
            return value.isEmpty ? nil : String(decoding: value, as: UTF8.self)
        }
    }

    /// The message as sent: this header with the body of `composed` (the stored message
    /// composed again with ``messageID``), or nil when the result is not byte for byte what
    /// was sent.
    public func reassemble(composed: [UInt8]) -> [UInt8]? {
        guard let bodyStart = Self.headerEnd(composed) else { return nil }
        let bytes = header + composed[bodyStart...]
        return Self.hex(bytes) == sha256 ? bytes : nil
    }

    /// The index after the empty line that ends the header block.
    static func headerEnd(_ bytes: [UInt8]) -> Int? {
        var index = 0
        while index + 3 < bytes.count {
            if bytes[index] == 13, bytes[index + 1] == 10, bytes[index + 2] == 13, bytes[index + 3] == 10 { return index + 4 }
            index += 1
        }
        return nil
    }

    static func hex(_ bytes: [UInt8]) -> String {
        Array(Crypto.SHA256.hash(data: bytes)).hexString
    }
}
