import Foundation

/// One line of the test server's JSON Lines log.
public struct ServerEvent: Decodable, Sendable {
    public let event: String
    public let connection: Int?
    public let mechanism: String?
    public let user: String?
    public let success: Bool?
    public let helo: String?
    public let outcome: String?
    public let rcptTos: [String]?
    public let mailFrom: String?
    /// The MAIL FROM parameters, e.g. `["SMTPUTF8", "SIZE=1234"]`.
    public let mailOptions: [String]?
    public let data: String?
    /// When the server logged it (seconds since the epoch; messages only).
    public let at: Double?

    enum CodingKeys: String, CodingKey {
        case event, connection, mechanism, user, success, helo, outcome, data, at
        case rcptTos = "rcpt_tos"
        case mailFrom = "mail_from"
        case mailOptions = "mail_options"
    }

    /// The message bytes the server received (after dot-unstuffing).
    public var bytes: [UInt8]? { data.flatMap { Data(base64Encoded: $0) }.map { Array($0) } }
}
