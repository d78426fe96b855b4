import Foundation

/// One line of the test server's JSON Lines log.
struct ServerEvent: Decodable {
    let event: String
    let connection: Int?
    let mechanism: String?
    let user: String?
    let success: Bool?
    let helo: String?
    let outcome: String?
    let rcptTos: [String]?
    let mailFrom: String?
    let data: String?
    /// When the server logged it (seconds since the epoch; messages only).
    let at: Double?

    enum CodingKeys: String, CodingKey {
        case event, connection, mechanism, user, success, helo, outcome, data, at
        case rcptTos = "rcpt_tos"
        case mailFrom = "mail_from"
    }

    /// The message bytes the server received (after dot-unstuffing).
    var bytes: [UInt8]? { data.flatMap { Data(base64Encoded: $0) }.map { Array($0) } }
}

extension ServerEvent {
    /// The value of the first header `name` in the received message (unfolded, raw).
    func header(_ name: String) -> String? {
        guard let bytes else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        for line in text.split(separator: "\r\n", omittingEmptySubsequences: false) {
            if line.isEmpty { return nil }
            if line.lowercased().hasPrefix(name.lowercased() + ":") {
                return String(line.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }
}
