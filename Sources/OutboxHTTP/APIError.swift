import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import OutboxCore
import OutboxStore

/// An API failure as the client sees it: an HTTP status and a JSON body
/// `{"error": {"code": …, "message": …, "location": …, "field": …}}` — for refused
/// input the same location (`request line 3`, `request messages[2] (line 9)`) and field
/// the CLI names.
struct APIError: HTTPResponseError {
    let status: HTTPResponse.Status
    let code: String
    let message: String
    var location: String? = nil
    var field: String? = nil
    var headers: HTTPFields = [:]

    static let unauthorized = APIError(status: .unauthorized, code: "unauthorized",
                                       message: "a valid API token is required (Authorization: Bearer TOKEN)",
                                       headers: [.wwwAuthenticate: #"Bearer realm="outbox""#])

    static func notFound(_ what: String) -> APIError { APIError(status: .notFound, code: "notFound", message: "\(what) not found") }

    static func badRequest(_ message: String, field: String? = nil) -> APIError {
        APIError(status: .badRequest, code: "invalidRequest", message: message, field: field)
    }

    /// The outbox's database server cannot be reached (what and where go to the log, not to the client).
    static let unreachable = APIError(status: .serviceUnavailable, code: "databaseUnreachable",
                                      message: "the outbox database cannot be reached; try again later", headers: [.retryAfter: "30"])

    /// 413, naming the limit that refused the body (a setting only where one governs it).
    static func tooLarge(_ limit: BodyLimit) -> APIError {
        APIError(status: .contentTooLarge, code: "tooLarge", message: "the request body is over \(limit.bytes) bytes (\(limit.source))")
    }

    /// Refused batch input: 400, or 403 when the token may not submit for the message's owner.
    init(_ error: IntakeError) {
        status = error.code == .ownerNotAllowed ? .forbidden : .badRequest
        code = error.code.rawValue
        message = error.reason
        location = error.location
        field = error.field
    }

    init(status: HTTPResponse.Status, code: String, message: String, location: String? = nil, field: String? = nil, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.location = location
        self.field = field
        self.headers = headers
    }

    /// Any error of a handler, mapped to what the client may see. Store failures keep
    /// their code but say only what kind of trouble it is; details go to the log.
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError: return error
        case let error as IntakeError: return APIError(error)
        case let error as StoreError:
            switch error.code {
            case .notFound: return APIError(status: .notFound, code: "notFound", message: error.reason)
            case .invalidState: return APIError(status: .conflict, code: "invalidState", message: error.reason)
            case .expired: return APIError(status: .conflict, code: "expired", message: error.reason)
            case .busy:
                return APIError(status: .serviceUnavailable, code: "busy", message: "the outbox is busy; try again", headers: [.retryAfter: "5"])
            case .unreachable: return .unreachable
            case .diskFull: return APIError(status: HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage"), code: "diskFull", message: "the outbox's disk is full; try again later")
            default: return APIError(status: .internalServerError, code: error.code.rawValue, message: "the outbox could not do this; see its log")
            }
        default: return APIError(status: .internalServerError, code: "internal", message: "the outbox could not do this; see its log")
        }
    }

    private struct Body: Encodable {
        struct Detail: Encodable {
            let code: String
            let message: String
            let location: String?
            let field: String?
        }
        let error: Detail
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try JSONBody.response(Body(error: .init(code: code, message: message, location: location, field: field)), status: status)
        response.headers.append(contentsOf: headers)
        return response
    }
}

/// JSON responses: compact, keys sorted, so the same state gives the same bytes.
enum JSONBody {
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        var all: HTTPFields = [.contentType: "application/json"]
        all.append(contentsOf: headers)
        return Response(status: status, headers: all, body: ResponseBody(byteBuffer: ByteBuffer(bytes: try encode(value))))
    }

    static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }
}
