import OutboxCore

/// Maps an HTTP answer, or the lack of one, to a ``DeliveryOutcome`` (see ``HTTPMailResult``).
enum HTTPMailClassifier {
    static func outcome(status: Int, text: String) -> DeliveryOutcome {
        let line = ["HTTP \(status)" + (text.isEmpty ? "" : ": \(text)")]
        switch status {
        case 200...299:
            return .sent(SMTPReply(code: 250, lines: line))
        case 401, 407:
            return .profileProblem(.authenticationRejected, SMTPReply(code: 535, lines: line))
        case 408, 429, 500...599:
            return .deferred(.temporaryReply, SMTPReply(code: 451, lines: line))
        default:
            return .failed(SMTPReply(code: 554, lines: line))
        }
    }

    static func outcome(error: HTTPClientError) -> DeliveryOutcome {
        switch error.code {
        case .invalidURL, .invalidHeader, .optionRejected:
            return .profileProblem(.configuration, nil)
        case .curlUnavailable:
            return .deferred(.other, nil)
        case .responseTooLarge:
            return .deferred(.protocolError, nil)
        case .transport:
            switch error.transport?.status ?? .other {
            case .timedOut: return .deferred(.timeout, nil)
            case .couldNotConnect: return .deferred(.connectionRefused, nil)
            case .couldNotResolve: return .deferred(.nameResolution, nil)
            case .connectionLost: return .deferred(.connectionLost, nil)
            case .tlsFailed, .tlsNotOffered: return .deferred(.tls, nil)
            case .configuration: return .profileProblem(.configuration, nil)
            case .unexpectedReply: return .deferred(.protocolError, nil)
            case .completed, .loginDenied, .other: return .deferred(.other, nil)
            }
        }
    }

    /// The start of a response body as one clean line (for the event log).
    static func excerpt(_ body: [UInt8]) -> String {
        let text = String(decoding: body.prefix(400), as: UTF8.self)
        let flat = String(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : Character($0) })
        return String(flat.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ").prefix(200))
    }
}
