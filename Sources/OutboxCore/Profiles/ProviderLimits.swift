/// A provider's published sending limits for one mailbox: the defaults of a preset's
/// profile (a value set on the profile wins). Windows are rolling, not calendar days.
public struct ProviderLimits: Hashable, Sendable {
    public var perMinute: Int?
    public var perHour: Int?
    /// Messages per rolling 24 hours.
    public var perDay: Int?
    /// Envelope recipients per rolling 24 hours (a message to 5 addresses counts 5).
    public var recipientsPerDay: Int?
    /// Where the figures come from and when they were read.
    public var source: String

    public init(perMinute: Int? = nil, perHour: Int? = nil, perDay: Int? = nil, recipientsPerDay: Int? = nil, source: String) {
        self.perMinute = perMinute
        self.perHour = perHour
        self.perDay = perDay
        self.recipientsPerDay = recipientsPerDay
        self.source = source
    }
}

extension ProfilePreset {
    /// The provider's published limits (read 2026-12-01; the README names each source).
    public var limits: ProviderLimits {
        switch self {
        case .office365:
            // Exchange Online limits: message rate 30 per minute (SMTP client submission),
            // recipient rate 10,000 per rolling 24 hours per mailbox.
            ProviderLimits(perMinute: 30, recipientsPerDay: 10_000, source: "learn.microsoft.com, Exchange Online limits (sending limits)")
        case .gmail:
            // Google Workspace: 2,000 messages and 10,000 total recipients per rolling 24 hours.
            ProviderLimits(perDay: 2_000, recipientsPerDay: 10_000, source: "support.google.com/a/answer/166852, Gmail sending limits in Google Workspace")
        case .yahoo:
            // 500 per day, where each recipient counts as one.
            ProviderLimits(recipientsPerDay: 500, source: "help.yahoo.com SLN17518, SMTP sending limits")
        case .zone, .telia:
            ProviderLimits(source: "no published per-mailbox limit")
        }
    }
}
