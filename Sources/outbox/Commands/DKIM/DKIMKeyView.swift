import OutboxCore
import OutboxStore

/// A stored key as the commands print it: names, algorithm, state and its DNS record (the
/// public key only).
struct DKIMKeyView: Encodable {
    let domain: String
    let selector: String
    let algorithm: String
    let createdAt: Int64
    let signing: Bool
    let dnsName: String
    let dnsText: String
    let dnsStrings: [String]

    init(_ info: DKIMKeyInfo) {
        domain = info.domain
        selector = info.selector
        algorithm = info.algorithm.rawValue
        createdAt = info.createdAt
        signing = info.isSigning
        dnsName = info.dnsRecord.name
        dnsText = info.dnsRecord.text
        dnsStrings = info.dnsRecord.strings
    }

    var state: String { signing ? "signing" : "standing by" }
}
