import Foundation

/// Reads a file descriptor line by line in fixed-size chunks, so memory stays bounded
/// by the longest line, not the input. Also reads bytes already in memory (a request body).
final class LineReader {
    private let descriptor: Int32
    private var buffer = [UInt8]()
    private var start = 0
    private var finished = false
    private let maxLineBytes: Int
    /// 1-based number of the line last returned.
    private(set) var lineNumber = 0

    init(descriptor: Int32, maxLineBytes: Int) {
        self.descriptor = descriptor
        self.maxLineBytes = maxLineBytes
        buffer.reserveCapacity(1 << 20)
    }

    /// Lines of `bytes`; nothing is read from a descriptor.
    init(bytes: [UInt8], maxLineBytes: Int) {
        self.descriptor = -1
        self.maxLineBytes = maxLineBytes
        buffer = bytes
        finished = true
    }

    /// The next line without its line end, or nil at the end of input.
    func next() throws -> ArraySlice<UInt8>? {
        while true {
            if let newline = nextNewline() {
                var end = newline
                if end > start, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                guard end - start <= maxLineBytes else { throw LineTooLong(line: lineNumber + 1, limit: maxLineBytes) }
                let line = buffer[start..<end]
                start = newline + 1
                lineNumber += 1
                return line
            }
            if finished {
                guard start < buffer.count else { return nil }
                guard buffer.count - start <= maxLineBytes else { throw LineTooLong(line: lineNumber + 1, limit: maxLineBytes) }
                let line = buffer[start...]
                start = buffer.count
                lineNumber += 1
                return line
            }
            guard buffer.count - start <= maxLineBytes else {
                throw LineTooLong(line: lineNumber + 1, limit: maxLineBytes)
            }
            if start > 0 {
                buffer.removeSubrange(0..<start)
                start = 0
            }
            try fill()
        }
    }

    /// The index of the first line feed from `start` on: memchr (the generic search cost
    /// ~7 instructions a byte, 36k per 5 KB line).
    private func nextNewline() -> Int? {
        guard start < buffer.count else { return nil }
        return buffer.withUnsafeBytes { bytes in
            memchr(bytes.baseAddress! + start, Int32(UInt8(ascii: "\n")), bytes.count - start)
                .map { bytes.baseAddress!.distance(to: UnsafeRawPointer($0)) }
        }
    }

    private func fill() throws {
        let chunk = 1 << 20
        let oldCount = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: chunk))
        var count: Int
        repeat {
            count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + oldCount, chunk) }
        } while count < 0 && errno == EINTR
        guard count >= 0 else {
            buffer.removeSubrange(oldCount...)
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        buffer.removeSubrange((oldCount + count)...)
        if count == 0 { finished = true }
    }

    struct LineTooLong: Error {
        let line: Int
        let limit: Int
    }
}
