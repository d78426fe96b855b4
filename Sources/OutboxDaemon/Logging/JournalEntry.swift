import CSystemd

/// Fields laid out in one contiguous buffer, handed to `sd_journal_sendv` as an iovec array
/// whose pointers stay valid for exactly the duration of the call.
struct JournalEntry {
    private var bytes: [UInt8] = []
    private var ranges: [Range<Int>] = []

    init(fields: [String]) {
        for field in fields {
            let start = bytes.count
            bytes.append(contentsOf: field.utf8)
            ranges.append(start..<bytes.count)
        }
    }

    /// Calls `body` with one iovec per field (no terminators: journald takes lengths).
    func withIOVecs<Result>(_ body: (UnsafeBufferPointer<iovec>) -> Result) -> Result {
        bytes.withUnsafeBufferPointer { buffer in
            let base = UnsafeMutableRawPointer(mutating: buffer.baseAddress)
            var iovecs: [iovec] = []
            iovecs.reserveCapacity(ranges.count)
            for range in ranges {
                iovecs.append(iovec(iov_base: base?.advanced(by: range.lowerBound), iov_len: range.count))
            }
            return iovecs.withUnsafeBufferPointer(body)
        }
    }

    /// Sends the entry; returns whether journald accepted it.
    func send() -> Bool {
        withIOVecs { vectors in sd_journal_sendv(vectors.baseAddress, Int32(vectors.count)) >= 0 }
    }
}
