import Foundation

/// The real clock for OAuth polling: Unix milliseconds and a blocking sleep.
public enum OAuthClock {
    /// The current time in Unix milliseconds.
    public static func now() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }

    /// Blocks the calling thread for `duration`.
    public static func sleep(_ duration: Duration) {
        Thread.sleep(forTimeInterval: Double(duration.milliseconds) / 1000)
    }
}
