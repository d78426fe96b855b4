public import OutboxCore

/// What a failed recipient's bounce does to the suppression list: suppression by reason,
/// never by the status code's first digit.
///
/// - A dead address (``BounceReason/isDeadAddress`` with hard severity) and a spam
///   complaint (`feedback`) suppress for good.
/// - A soft reason of the address itself (``softReasons``) suppresses for
///   ``softSuppressionMilliseconds`` once it recurs ``softLimit`` times within
///   ``softWindowMilliseconds``.
/// - A sender problem (``BounceReason/isSenderProblem``) is counted against the owner's
///   profile and never suppresses the recipient.
/// - Everything else (message too big, content filtered, the receiver's outage, unknown)
///   is recorded and suppresses nothing.
public struct BounceSuppressionPolicy: Sendable, Hashable {
    /// How many soft bounces of one address within the window suppress it (default 3).
    public var softLimit: Int
    /// The window they are counted over (default 14 days), in milliseconds.
    public var softWindowMilliseconds: Int64
    /// How long such a suppression lasts (default 30 days), in milliseconds.
    public var softSuppressionMilliseconds: Int64
    /// The soft reasons that say something about the address and count toward the limit:
    /// by default the mailbox is full (`mailboxfull`), the account is suspended
    /// (`suspend`), or the domain temporarily takes no mail (`notaccept` with 4.x.x). Not
    /// counted: reasons about our message (`mesgtoobig`, `exceedlimit`, `contenterror`,
    /// `filtered`, `virusdetected`), the receiver's own trouble (`systemerror`,
    /// `systemfull`, `networkerror`, `expired`) and the unknown (`undefined`, `onhold`).
    public var softReasons: Set<BounceReason>

    public static let defaultSoftReasons: Set<BounceReason> = [.mailboxfull, .suspend, .notaccept]
    public static let standard = BounceSuppressionPolicy()

    public init(softLimit: Int = 3, softWindowMilliseconds: Int64 = 14 * 86_400_000,
                softSuppressionMilliseconds: Int64 = 30 * 86_400_000, softReasons: Set<BounceReason> = defaultSoftReasons) {
        self.softLimit = softLimit
        self.softWindowMilliseconds = softWindowMilliseconds
        self.softSuppressionMilliseconds = softSuppressionMilliseconds
        self.softReasons = softReasons
    }

    /// What one failed recipient's bounce means for its address.
    public enum Decision: Sendable, Hashable {
        /// Suppress for good (dead address, complaint).
        case permanent
        /// Count it; suppress for a while once it recurs.
        case countSoft
        /// Record it against the sender's profile; the recipient is not at fault.
        case senderProblem
        /// Record it only.
        case none
    }

    public func decision(for reported: BounceRecipient) -> Decision {
        let reason = reported.reason
        if reason == .feedback { return .permanent }
        if reason.isDeadAddress, reported.severity == .hard { return .permanent }
        if reason.isSenderProblem { return .senderProblem }
        if softReasons.contains(reason) { return .countSoft }
        return .none
    }

    /// The suppression list's words for a permanent entry: `dead address: userunknown 5.1.1`.
    static func describe(_ reported: BounceRecipient) -> String {
        let cause = reported.reason == .feedback ? "spam complaint" : "dead address"
        return "\(cause): \(reported.reason.rawValue)\(reported.status.map { " \($0)" } ?? "")"
    }
}
