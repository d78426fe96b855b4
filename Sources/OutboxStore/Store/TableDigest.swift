import Crypto

/// The content hash of a table's rows, the same whichever store they were read from and
/// in whatever order: each row's SHA-256 (over its values, typed and length-prefixed), summed
/// lane by lane as four 64-bit words. `store copy` compares the digest of what it read with
/// the digest of what the target holds afterwards; digests of disjoint row sets add up.
public struct TableDigest: Sendable, Hashable {
    public private(set) var rows = 0
    private var lanes: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    public init() {}

    /// Adds one row, its values in column order.
    public mutating func add(_ row: [OutboxSnapshot.Value]) {
        var hasher = SHA256()
        for value in row {
            switch value {
            case .null:
                hasher.update(data: [0])
            case .integer(let number):
                hasher.update(data: [1])
                withUnsafeBytes(of: number.littleEndian) { hasher.update(bufferPointer: $0) }
            case .real(let number):
                hasher.update(data: [2])
                withUnsafeBytes(of: number.bitPattern.littleEndian) { hasher.update(bufferPointer: $0) }
            case .text(var text):
                hasher.update(data: [3])
                text.withUTF8 { bytes in
                    withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { hasher.update(bufferPointer: $0) }
                    hasher.update(bufferPointer: UnsafeRawBufferPointer(bytes))
                }
            case .blob(let bytes):
                hasher.update(data: [4])
                withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { hasher.update(bufferPointer: $0) }
                hasher.update(data: bytes)
            }
        }
        let digest = Array(hasher.finalize())
        func lane(_ index: Int) -> UInt64 { digest[index * 8..<index * 8 + 8].reduce(0) { $0 << 8 | UInt64($1) } }
        lanes = (lanes.0 &+ lane(0), lanes.1 &+ lane(1), lanes.2 &+ lane(2), lanes.3 &+ lane(3))
        rows += 1
    }

    /// The digests of both row sets together.
    public static func + (left: TableDigest, right: TableDigest) -> TableDigest {
        var sum = left
        sum.rows += right.rows
        sum.lanes = (left.lanes.0 &+ right.lanes.0, left.lanes.1 &+ right.lanes.1, left.lanes.2 &+ right.lanes.2, left.lanes.3 &+ right.lanes.3)
        return sum
    }

    public static func == (left: TableDigest, right: TableDigest) -> Bool {
        left.rows == right.rows && left.hex == right.hex
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(hex) }

    /// The 256-bit sum in hexadecimal.
    public var hex: String {
        [lanes.0, lanes.1, lanes.2, lanes.3].map { lane in
            let digits = String(lane, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }.joined()
    }
}
