/// Collects bytes libcurl hands to the write callback (body) or, as a second instance,
/// the header lines. Reached from C through `Unmanaged` user data; stops the transfer
/// once more than `limit` bytes arrive.
final class HTTPResponseSink {
    private(set) var bytes: [UInt8] = []
    private(set) var overflowed = false
    let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Appends a chunk; returns the count taken, or 0 to make libcurl stop (too large).
    func append(_ chunk: UnsafeRawBufferPointer) -> Int {
        guard bytes.count + chunk.count <= limit else {
            overflowed = true
            return 0
        }
        bytes.append(contentsOf: chunk)
        return chunk.count
    }

    /// Forgets everything received (a new response begins, e.g. after `100 Continue`).
    func reset() { bytes.removeAll(keepingCapacity: true) }
}
