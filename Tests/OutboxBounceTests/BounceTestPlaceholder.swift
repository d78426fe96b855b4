import Testing

/// Placeholder so the target builds before the real suites land.
@Suite struct BounceTestPlaceholder {
    @Test func targetBuilds() {}
}
