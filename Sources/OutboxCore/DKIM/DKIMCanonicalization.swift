/// The `relaxed` canonicalisation of RFC 6376 §3.4.2 (headers) and §3.4.4 (body): what a
/// DKIM signer hashes and a verifier recomputes. Pure byte functions; lines end in CRLF.
public enum DKIMCanonicalization {
    /// One header field as relaxed canonicalisation writes it, without the final CRLF:
    /// the name in lower case with no whitespace before the colon, the value unfolded,
    /// runs of whitespace reduced to one space and none at either end.
    ///
    /// - Parameter field: the whole field as it appears in the message (name, colon and
    ///   value, folded lines included), with or without its final CRLF.
    public static func relaxedHeader(_ field: some Collection<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(field.count)
        var index = field.startIndex
        // Name: up to the colon, lower-cased, trailing whitespace dropped.
        while index != field.endIndex, field[index] != colon {
            let byte = field[index]
            output.append(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
            index = field.index(after: index)
        }
        while let last = output.last, isWhitespace(last) { output.removeLast() }
        output.append(colon)
        guard index != field.endIndex else { return output }
        index = field.index(after: index)
        // Value: CR and LF vanish (unfolding), whitespace runs become one space, ends trimmed.
        var pendingSpace = false
        var atValueStart = true
        while index != field.endIndex {
            let byte = field[index]
            index = field.index(after: index)
            if byte == cr || byte == lf { continue }
            if isWhitespace(byte) {
                pendingSpace = !atValueStart
                continue
            }
            if pendingSpace { output.append(space) }
            pendingSpace = false
            atValueStart = false
            output.append(byte)
        }
        return output
    }

    /// Passes the relaxed canonical form of `body` to `emit`, in pieces: whitespace at line
    /// ends removed, runs of whitespace reduced to one space, empty lines at the end removed,
    /// and a final CRLF added to a non-empty body that lacks one. An empty body (or one of
    /// only empty lines) emits nothing.
    ///
    /// Lines without whitespace to change are passed through in long runs straight from
    /// `body`, so a base64 attachment costs one scan.
    public static func relaxedBody(_ body: UnsafeBufferPointer<UInt8>, emit: (UnsafeBufferPointer<UInt8>) -> Void) {
        let count = body.count
        var runStart = 0, runEnd = 0  // verbatim bytes, CRLFs included, not yet emitted
        var emptyLines = 0  // empty lines seen since the last non-empty one, not yet emitted
        var rewritten: [UInt8] = []
        var lineStart = 0
        func flushRun() {
            if runEnd > runStart { emit(UnsafeBufferPointer(rebasing: body[runStart..<runEnd])) }
            runStart = runEnd
        }
        func flushEmptyLines() {
            flushRun()
            while emptyLines > 0 {
                let n = min(emptyLines, crlfs.count / 2)
                crlfs.withUnsafeBufferPointer { emit(UnsafeBufferPointer(rebasing: $0[0..<(2 * n)])) }
                emptyLines -= n
            }
        }
        while lineStart < count {
            // Find the line's end (the CR of CRLF, or the end of the body) and what it needs.
            var end = lineStart
            var verbatim = true
            var previous: UInt8 = 0
            while end < count {
                let byte = body[end]
                if byte == cr, end + 1 < count, body[end + 1] == lf { break }
                if byte == tab || (byte == space && previous == space) { verbatim = false }
                previous = byte
                end += 1
            }
            let terminated = end < count
            let next = terminated ? end + 2 : end
            if previous == space { verbatim = false }
            if end == lineStart {
                emptyLines += 1
            } else if verbatim && terminated {
                if emptyLines > 0 { flushEmptyLines() }
                if runEnd != lineStart { flushRun(); runStart = lineStart }
                runEnd = next
            } else {
                rewritten.removeAll(keepingCapacity: true)
                var pendingSpace = false
                for byte in body[lineStart..<end] {
                    if byte == space || byte == tab {
                        pendingSpace = true
                    } else {
                        if pendingSpace { rewritten.append(space) }
                        pendingSpace = false
                        rewritten.append(byte)
                    }
                }
                if rewritten.isEmpty {
                    emptyLines += 1
                } else {
                    flushEmptyLines()
                    rewritten.append(cr)
                    rewritten.append(lf)
                    rewritten.withUnsafeBufferPointer { emit($0) }
                    runStart = next
                    runEnd = next
                }
            }
            lineStart = next
        }
        flushRun()
    }

    /// The relaxed canonical body as one array (for tests and small bodies).
    public static func relaxedBody(_ body: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        body.withUnsafeBufferPointer { relaxedBody($0) { output.append(contentsOf: $0) } }
        return output
    }

    static func isWhitespace(_ byte: UInt8) -> Bool { byte == space || byte == tab }

    private static let cr: UInt8 = 13, lf: UInt8 = 10, space: UInt8 = 32, tab: UInt8 = 9, colon: UInt8 = 58
    private static let crlfs: [UInt8] = Array(repeating: [13, 10], count: 64).flatMap { $0 }
}
