/// Something wrong with the input that the parser worked around. The parser never throws:
/// these codes say what it skipped or cut, so an operator can tell a partial result.
public enum BounceAnomaly: String, Hashable, Sendable, CaseIterable, Comparable {
    /// The input was longer than ``BounceLimits/maxInputBytes``; the rest was ignored.
    case inputTruncated
    /// More header fields than ``BounceLimits/maxHeaderFields`` in one block.
    case tooManyHeaderFields
    /// More MIME parts than ``BounceLimits/maxParts``; the rest were not read.
    case tooManyParts
    /// Multiparts nested deeper than ``BounceLimits/maxDepth``; the deeper ones were
    /// treated as opaque.
    case nestingTooDeep
    /// A multipart without a usable boundary, or whose boundary never occurs.
    case missingBoundary
    /// A multipart whose closing delimiter is missing (a truncated message).
    case unterminatedMultipart
    /// The message has no blank line between header and body, or no header at all.
    case malformedHeader

    public static func < (lhs: BounceAnomaly, rhs: BounceAnomaly) -> Bool { lhs.rawValue < rhs.rawValue }
}
