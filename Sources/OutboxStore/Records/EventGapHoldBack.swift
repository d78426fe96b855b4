/// Reading a shared store's event log in id order. PostgreSQL draws an event's id before its
/// transaction commits, so a lower id may become visible after a higher one: a reader that
/// moved its cursor past the higher id would skip it for good. ``settled(_:after:now:)``
/// hands out the leading events up to the first gap in the ids, holding the rest back until
/// the gap fills or for at most ``settle`` (a rolled-back transaction leaves a gap forever).
/// SQLite commits one writer at a time, so its ids never need this.
public struct EventGapHoldBack: Sendable {
    /// How long events after a gap in the ids wait for it to fill.
    public static let settle: Duration = .seconds(5)

    /// The first missing id and since when it is missed.
    private var gap: (start: Int64, since: ContinuousClock.Instant)?

    public init() {}

    /// The leading events of `events` (read after `lastID`, in id order) that may be handed out.
    public mutating func settled(_ events: [EventRecord], after lastID: Int64, now: ContinuousClock.Instant) -> [EventRecord] {
        var expected = lastID + 1
        var count = 0
        for event in events {
            if event.id != expected {
                if gap?.start != expected { gap = (expected, now) }
                guard let gap, now - gap.since >= Self.settle else { break }
            }
            gap = nil
            expected = event.id + 1
            count += 1
        }
        return Array(events.prefix(count))
    }
}
