import Crypto

/// The content hash of a table's rows, the same whichever store they were read from and
/// in whatever order: each row's SHA-256 (over its values, typed and length-prefixed), summed
/// lane by lane as four 64-bit words. `store copy` compares the digest of what it read with
/// the digest of what the target holds afterwards; digests of disjoint row sets add up.
public struct TableDigest: Sendable, Hashable {
    public private(set) var rows = 0
    private var lanes: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    public init() {}

    /// A digest computed elsewhere (by the database, over the same encoding): `lanes` are
    /// the four 64-bit words of the sum, most significant first.
    public init(rows: Int, lanes: [UInt64]) {
        precondition(lanes.count == 4)
        self.rows = rows
        self.lanes = (lanes[0], lanes[1], lanes[2], lanes[3])
    }

    /// Adds one row, its values in column order. Each value is a tag byte (0 NULL,
    /// 1 integer, 2 real, 3 text, 4 bytes), then an integer as 8 bytes big-endian, text
    /// (UTF-8) and bytes after their length as 8 bytes big-endian: the form PostgreSQL's
    /// `int8send` and `sha256` reproduce server-side.
    public mutating func add(_ row: [OutboxSnapshot.Value]) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(128)
        func append(_ number: UInt64) {
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: number >> UInt64(shift))) }
        }
        for value in row {
            switch value {
            case .null:
                bytes.append(0)
            case .integer(let number):
                bytes.append(1)
                append(UInt64(bitPattern: number))
            case .real(let number):
                bytes.append(2)
                append(number.bitPattern)
            case .text(let text):
                bytes.append(3)
                append(UInt64(text.utf8.count))
                bytes.append(contentsOf: text.utf8)
            case .blob(let blob):
                bytes.append(4)
                append(UInt64(blob.count))
                bytes.append(contentsOf: blob)
            }
        }
        let digest = Array(SHA256.hash(data: bytes))
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
