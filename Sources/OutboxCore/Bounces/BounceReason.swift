/// Why one recipient's mail did not arrive: a fixed vocabulary operators can rely on (the
/// names Sisimai, the reference bounce analyser, uses), plus the three non-bounces.
///
/// Derived by ``BounceReasonClassifier`` from the enhanced status code, the SMTP reply,
/// the diagnostic wording and the reporting software.
public enum BounceReason: String, Hashable, Sendable, CaseIterable, Codable {
    // The address is dead.
    case userunknown, hostunknown, hasmoved, notaccept
    // The mailbox exists but cannot take mail now.
    case mailboxfull, exceedlimit, mesgtoobig, suspend
    // The receiver refuses *our* mail: the sender's IP, domain or content.
    case blocked, spamdetected, policyviolation, filtered, rejected, securityerror, contenterror, virusdetected
    case norelaying, toomanyconn
    // The receiving or sending system failed.
    case systemerror, systemfull, networkerror, expired, syntaxerror, mailererror
    // Not enough information.
    case onhold, undefined
    // Not bounces.
    case vacation, feedback, delivered

    /// Hard or soft, as Sisimai's `soft_or_hard` decides it: `nil` for the non-bounces.
    /// `notaccept` is soft only with a 4.x.x status.
    public func severity(status: EnhancedStatusCode?) -> BounceSeverity? {
        switch self {
        case .vacation, .feedback, .delivered: return nil
        case .userunknown, .hostunknown, .hasmoved: return .hard
        case .notaccept: return status?.statusClass == 4 ? .soft : .hard
        default: return .soft
        }
    }

    /// The address itself is dead: the only bounce reasons that suppress a recipient for good.
    public var isDeadAddress: Bool {
        [.userunknown, .hostunknown, .hasmoved, .notaccept].contains(self)
    }

    /// The receiver refused the *sender* (its IP, domain, authentication or volume): recorded
    /// against the sending profile, never held against the recipient.
    public var isSenderProblem: Bool {
        [.blocked, .spamdetected, .policyviolation, .securityerror, .norelaying, .toomanyconn].contains(self)
    }
}

/// Whether a failure is permanent for the address (`hard`) or may pass (`soft`).
public enum BounceSeverity: String, Hashable, Sendable, Codable {
    case hard, soft
}
