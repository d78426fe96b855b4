import CCurl
import OutboxCore

/// Maps libcurl's `CURLcode` to the library-independent ``TransportResult``.
enum CurlResultMapping {
    static func result(_ code: CURLcode, message: String) -> TransportResult {
        TransportResult(status: status(code), code: Int(code.rawValue), message: message)
    }

    static func status(_ code: CURLcode) -> TransportResult.Status {
        switch code {
        case CURLE_OK:
            .completed
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            .couldNotResolve
        case CURLE_COULDNT_CONNECT:
            .couldNotConnect
        case CURLE_OPERATION_TIMEDOUT:
            .timedOut
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_UPLOAD_FAILED:
            .connectionLost
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_ISSUER_ERROR,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_SHUTDOWN_FAILED:
            .tlsFailed
        case CURLE_USE_SSL_FAILED:
            .tlsNotOffered
        case CURLE_LOGIN_DENIED:
            .loginDenied
        case CURLE_WEIRD_SERVER_REPLY, CURLE_REMOTE_ACCESS_DENIED:
            .unexpectedReply
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT, CURLE_NOT_BUILT_IN, CURLE_INTERFACE_FAILED,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_SSL_ENGINE_NOTFOUND,
            CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED, CURLE_BAD_FUNCTION_ARGUMENT,
            CURLE_UNKNOWN_OPTION, CURLE_SSL_CRL_BADFILE:
            .configuration
        default:
            .other
        }
    }
}
