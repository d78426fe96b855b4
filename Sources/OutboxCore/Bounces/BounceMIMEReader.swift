/// Splits a message into its MIME parts (pre-order, multiparts included), with the part
/// count and nesting depth capped; `message/rfc822` parts are not descended into.
struct BounceMIMEReader {
    private(set) var parts: [BouncePart] = []
    private(set) var anomalies: Set<BounceAnomaly> = []
    private let bytes: ArraySlice<UInt8>
    private let limits: BounceLimits

    init(_ bytes: ArraySlice<UInt8>, limits: BounceLimits) {
        self.bytes = bytes
        self.limits = limits
        read(bytes.indices, depth: 0)
    }

    /// Reads one entity; recursion is bounded by `limits.maxDepth`.
    private mutating func read(_ range: Range<Int>, depth: Int) {
        guard parts.count < max(limits.maxParts, 1) else {
            anomalies.insert(.tooManyParts)
            return
        }
        let headers = BounceHeaderBlock(bytes[range], limits: limits)
        anomalies.formUnion(depth == 0 ? headers.anomalies : headers.anomalies.subtracting([.malformedHeader]))
        let contentType = BounceContentType(headers.raw("content-type"))
        var part = BouncePart(
            headers: headers, contentType: contentType, body: headers.bodyStart..<range.upperBound, depth: depth)
        guard contentType.isMultipart else {
            parts.append(part)
            return
        }
        guard depth < limits.maxDepth else {
            anomalies.insert(.nestingTooDeep)
            part.isOpaque = true
            parts.append(part)
            return
        }
        guard let boundary = contentType.parameters["boundary"], !boundary.isEmpty, boundary.utf8.count <= 200 else {
            anomalies.insert(.missingBoundary)
            part.isOpaque = true
            parts.append(part)
            return
        }
        let children = split(part.body, boundary: Array(boundary.utf8))
        if children.isEmpty {
            anomalies.insert(.missingBoundary)
            part.isOpaque = true
        }
        parts.append(part)
        for child in children {
            read(child, depth: depth + 1)
        }
    }

    /// The body ranges between `--boundary` delimiter lines. A missing close delimiter
    /// ends the last part at the end of the input.
    private mutating func split(_ body: Range<Int>, boundary: [UInt8]) -> [Range<Int>] {
        var children: [Range<Int>] = []
        var openStart: Int?
        var lineStart = body.lowerBound
        var closed = false
        while lineStart < body.upperBound, children.count < limits.maxParts {
            var lineEnd = lineStart
            while lineEnd < body.upperBound, bytes[lineEnd] != BounceBytes.lf { lineEnd += 1 }
            let next = lineEnd < body.upperBound ? lineEnd + 1 : lineEnd
            if let isClose = delimiter(bytes[lineStart..<lineEnd], boundary: boundary) {
                if let start = openStart {
                    // The line break before the delimiter belongs to the delimiter.
                    var end = lineStart
                    if end > start, bytes[end - 1] == BounceBytes.lf { end -= 1 }
                    if end > start, bytes[end - 1] == BounceBytes.cr { end -= 1 }
                    children.append(start..<max(start, end))
                }
                if isClose {
                    closed = true
                    openStart = nil
                    break
                }
                openStart = next
            }
            lineStart = next
        }
        if let start = openStart, !closed {
            if start < body.upperBound || children.isEmpty { children.append(start..<body.upperBound) }
            anomalies.insert(.unterminatedMultipart)
        }
        return children
    }

    /// nil when the line is not a delimiter for `boundary`; true for the close delimiter.
    private func delimiter(_ line: ArraySlice<UInt8>, boundary: [UInt8]) -> Bool? {
        let dash = UInt8(ascii: "-")
        guard line.count >= boundary.count + 2, line.first == dash, line[line.startIndex + 1] == dash else { return nil }
        var index = line.startIndex + 2
        for byte in boundary {
            guard line[index] == byte else { return nil }
            index += 1
        }
        var isClose = false
        if index + 1 < line.endIndex, line[index] == dash, line[index + 1] == dash {
            isClose = true
            index += 2
        }
        while index < line.endIndex {
            guard BounceBytes.isSpace(line[index]) else { return nil }
            index += 1
        }
        return isClose
    }
}
