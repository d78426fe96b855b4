import Foundation
import Glibc

/// Lease owner names — node ids — `host:pid:start` (the process's start, Unix milliseconds,
/// base 36): unique per daemon process across the nodes of a shared queue, and telling
/// whether a lease's process on this host is gone (then its leases can be reclaimed at once).
enum LeaseOwnerID {
    static let host: String = ProcessInfo.processInfo.hostName

    /// A new name for this process.
    static func make() -> String {
        "\(host):\(getpid()):\(String(start, radix: 36))"
    }

    /// When this process started (first asked), Unix milliseconds.
    private static let start = Int64(Date().timeIntervalSince1970 * 1000)

    /// True when `owner` names a process on this host that no longer runs.
    static func isGone(_ owner: String) -> Bool {
        let parts = owner.split(separator: ":")
        guard parts.count == 3, parts[0] == host, let pid = Int32(parts[1]) else { return false }
        guard pid != getpid() else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }
}
