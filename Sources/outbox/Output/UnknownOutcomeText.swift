import OutboxStore

/// How `status` and `show` describe a message whose outcome is unknown.
enum UnknownOutcomeText {
    static func line(_ unknown: UnknownOutcome) -> String {
        let next = switch unknown.action {
        case .checkSent: "Sent folder searched for <\(unknown.headerMessageID ?? "?")> at \(Formatting.time(unknown.dueAt))"
        case .resend: "sent again at \(Formatting.time(unknown.dueAt))"
        case .hold: "held for an operator"
        }
        return "outcome unknown since \(Formatting.time(unknown.since)): \(next) — \(unknown.detail)"
    }
}
