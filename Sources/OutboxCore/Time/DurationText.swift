/// Durations as operators type them: `90s`, `15m`, `6h`, `7d`, `2w`, or a bare number of seconds.
public enum DurationText {
    /// Milliseconds, or nil when `text` is not a duration.
    public static func milliseconds(_ text: String) -> Int64? {
        guard let last = text.last else { return nil }
        let units: [Character: Int64] = ["s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000]
        let (digits, unit) = last.isNumber ? (Substring(text), Int64(1000)) : (text.dropLast(), units[last] ?? 0)
        guard unit > 0, let value = Int64(digits), value >= 0, value < Int64.max / unit else { return nil }
        return value * unit
    }
}
