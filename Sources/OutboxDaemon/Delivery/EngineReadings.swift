/// What the running engine's inner parts measured since it started, for `/metrics`: its
/// connection pool and its group commits. Each part keeps its figures under the lock it
/// takes anyway, so reading them costs the delivery path nothing; a reading is a copy.
public struct EngineReadings: Sendable, Hashable {
    /// The engine they come from (its lease owner): a reload starts a new engine whose figures begin at zero.
    public let engine: String
    /// The pool's connections by SMTP server, in server order.
    public var connections: [ConnectionUse]
    /// Seconds from an outcome handed to the group committer to the end of the transaction that recorded it.
    public var commitLatency: BucketHistogram
    /// Outcomes per committed transaction.
    public var commitBatchSize: BucketHistogram

    public init(engine: String, connections: [ConnectionUse] = [], commitLatency: BucketHistogram, commitBatchSize: BucketHistogram) {
        self.engine = engine
        self.connections = connections
        self.commitLatency = commitLatency
        self.commitBatchSize = commitBatchSize
    }
}

/// The pooled SMTP connections to one server (`host:port`), every account on it together:
/// the login names stay out of the figures.
public struct ConnectionUse: Sendable, Hashable {
    public let server: String
    /// Open connections, idle or checked out by a worker (one being opened counts).
    public var open = 0
    /// Open connections waiting in the pool for the next message.
    public var idle = 0
    /// The latest connection cap a worker asked for, summed over the server's accounts.
    public var limit = 0
    /// Checkouts that found their account at the cap and waited (since the engine started).
    public var waits = 0
    /// Time spent waiting at the cap, in seconds (since the engine started).
    public var waitSeconds = 0.0

    /// Connections checked out by a worker.
    public var inUse: Int { open - idle }

    public init(server: String) { self.server = server }
}

/// A histogram kept as counts per bucket (not cumulative) and a sum, by whoever observes
/// under a lock of their own; ``observe(_:)`` is a few comparisons and no allocation.
public struct BucketHistogram: Sendable, Hashable {
    /// Upper bounds of the buckets, ascending; values above the last go to an extra bucket (+Inf).
    public let bounds: [Double]
    /// Observations per bucket: `counts[i]` are those ≤ `bounds[i]` and above the bound before; one more than `bounds`.
    public private(set) var counts: [Int]
    public private(set) var sum = 0.0

    public init(bounds: [Double]) {
        self.bounds = bounds
        counts = Array(repeating: 0, count: bounds.count + 1)
    }

    public var count: Int { counts.reduce(0, +) }

    public mutating func observe(_ value: Double) {
        var index = 0
        while index < bounds.count, value > bounds[index] { index += 1 }
        counts[index] += 1
        sum += value
    }

    /// Adds what `later` observed beyond `earlier` (two readings of one histogram, same bounds).
    public mutating func add(_ later: BucketHistogram, since earlier: BucketHistogram? = nil) {
        guard later.bounds == bounds else { return }
        for index in counts.indices { counts[index] += later.counts[index] - (earlier?.counts[index] ?? 0) }
        sum += later.sum - (earlier?.sum ?? 0)
    }
}
