/// Tests on eight bytes at once (SWAR: each byte of a `UInt64` is one lane), for scanners
/// that skip long runs of ordinary text: a 5 KB body is read in 600 steps instead of 5,000.
///
/// Each test returns a mask whose LOWEST set bit is the high bit of the first lane that
/// matches (bits above it may be set spuriously); ``firstLane(_:)`` turns it into a count.
enum ByteLanes {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// The eight bytes at `offset` of `base`, the first in the lowest lane.
    static func load(_ base: UnsafeRawPointer, at offset: Int) -> UInt64 {
        UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// How many lanes come before the first match of `mask` (8: none matched).
    static func firstLane(_ mask: UInt64) -> Int {
        mask.trailingZeroBitCount >> 3
    }

    /// Lanes whose byte is below `limit` (at most 128). A borrow only leaves a lane whose
    /// byte is itself below the limit, so the lowest mark is exact.
    static func below(_ limit: UInt8, _ word: UInt64) -> UInt64 {
        (word &- ones &* UInt64(limit)) & ~word & highBits
    }

    /// Lanes whose byte is `value`.
    static func equal(_ value: UInt8, _ word: UInt64) -> UInt64 {
        below(1, word ^ (ones &* UInt64(value)))
    }

    /// Lanes whose byte is 0x7F or more: such a byte sets its high bit in `word` or in
    /// `word + 1` per lane (a carry leaves only a lane whose byte is 0xFF, itself a match).
    static func deleteOrNonASCII(_ word: UInt64) -> UInt64 {
        (word | (word &+ ones)) & highBits
    }

    /// Lanes whose byte is 0x80 or more.
    static func nonASCII(_ word: UInt64) -> UInt64 {
        word & highBits
    }
}
