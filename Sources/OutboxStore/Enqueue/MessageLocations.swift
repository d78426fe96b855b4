/// The locations (`batch.jsonl line 7`) of the messages a batch wrote, in order, kept
/// compactly so a keyed batch of millions of messages does not grow memory by a string
/// per message: each is stored as the part after what it shares with the first one
/// (typically the line number), a few bytes each. Only read to name the first
/// occurrence of a key that comes again in the same batch.
struct MessageLocations {
    private var first: [UInt8]?
    private var shared: [UInt16] = []
    private var ends: [UInt32] = []
    private var rest: [UInt8] = []

    var count: Int { ends.count }

    mutating func append(_ location: String) {
        let bytes = Array(location.utf8)
        guard let first else {
            self.first = bytes
            shared.append(UInt16(min(bytes.count, Int(UInt16.max))))
            ends.append(0)
            return
        }
        var common = 0
        let limit = min(first.count, bytes.count, Int(UInt16.max))
        while common < limit && first[common] == bytes[common] { common += 1 }
        shared.append(UInt16(common))
        rest.append(contentsOf: bytes[common...])
        ends.append(UInt32(truncatingIfNeeded: rest.count))
    }

    /// The location at `index` (0: the first one appended), nil when out of range.
    subscript(index: Int) -> String? {
        guard let first, index >= 0, index < ends.count else { return nil }
        let start = index == 0 ? 0 : Int(ends[index - 1])
        let bytes = first[..<Int(shared[index])] + rest[start..<Int(ends[index])]
        return String(decoding: bytes, as: UTF8.self)
    }
}
