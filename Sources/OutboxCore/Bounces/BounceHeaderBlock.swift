/// One block of RFC 5322 header fields read leniently from untrusted bytes: folded lines
/// are unfolded, an mbox `From ` line is skipped, and field count and value size are
/// capped.
struct BounceHeaderBlock {
    /// Field names in lower case with their unfolded, trimmed values.
    private(set) var fields: [(name: String, value: [UInt8])] = []
    /// Where the body starts (after the blank line), or the end of the input.
    private(set) var bodyStart: Int
    private(set) var anomalies: Set<BounceAnomaly> = []

    init(_ bytes: ArraySlice<UInt8>, limits: BounceLimits) {
        bodyStart = bytes.endIndex
        var index = bytes.startIndex
        var current: (name: String, value: [UInt8])?
        var sawField = false
        var isFirstLine = true
        while index < bytes.endIndex {
            var lineEnd = index
            while lineEnd < bytes.endIndex, bytes[lineEnd] != BounceBytes.lf { lineEnd += 1 }
            let next = lineEnd < bytes.endIndex ? lineEnd + 1 : lineEnd
            var contentEnd = lineEnd
            if contentEnd > index, bytes[contentEnd - 1] == BounceBytes.cr { contentEnd -= 1 }
            let line = bytes[index..<contentEnd]
            defer { isFirstLine = false }
            if line.isEmpty {
                bodyStart = next
                break
            }
            if let first = line.first, first == BounceBytes.space || first == BounceBytes.tab, current != nil || sawField {
                if current != nil {
                    let room = limits.maxHeaderValueBytes - (current?.value.count ?? 0)
                    if room > 0 { current?.value.append(contentsOf: line.prefix(room)) }
                }
                index = next
                continue
            }
            if isFirstLine, BounceBytes.hasPrefix("From ", line) {
                index = next
                continue
            }
            guard let colon = Self.fieldNameEnd(line) else {
                // Not a field: the header ended without a blank line (or there is none).
                anomalies.insert(.malformedHeader)
                bodyStart = sawField ? index : bytes.startIndex
                break
            }
            if let done = current { append(done, limits: limits) }
            sawField = true
            let name = String(decoding: BounceBytes.lowercased(BounceBytes.trimmed(line[index..<colon])), as: UTF8.self)
            current = (name, Array(line[(colon + 1)...].prefix(limits.maxHeaderValueBytes)))
            index = next
        }
        if let done = current { append(done, limits: limits) }
        for position in fields.indices {
            fields[position].value = Array(BounceBytes.trimmed(fields[position].value[...]))
        }
    }

    private mutating func append(_ field: (name: String, value: [UInt8]), limits: BounceLimits) {
        if fields.count < limits.maxHeaderFields {
            fields.append(field)
        } else {
            anomalies.insert(.tooManyHeaderFields)
        }
    }

    /// The index of the colon ending a field name of printable ASCII (spaces allowed only
    /// before the colon, as in the obsolete `Subject :`), or nil.
    private static func fieldNameEnd(_ line: ArraySlice<UInt8>) -> Int? {
        var sawSpace = false
        for index in line.indices {
            let byte = line[index]
            if byte == UInt8(ascii: ":") { return index > line.startIndex ? index : nil }
            if byte == BounceBytes.space || byte == BounceBytes.tab {
                sawSpace = true
            } else if byte < 0x21 || byte > 0x7E || sawSpace {
                return nil
            }
        }
        return nil
    }

    /// The first value of `name` (any case) as raw bytes.
    func raw(_ name: String) -> [UInt8]? {
        let wanted = name.lowercased()
        return fields.first(where: { $0.name == wanted })?.value
    }

    /// The first value of `name` as text (UTF-8, invalid bytes replaced), unfolded.
    func value(_ name: String) -> String? {
        raw(name).map { BounceBytes.collapsed(String(decoding: $0, as: UTF8.self)) }
    }

    /// Every value of `name`, in order.
    func values(_ name: String) -> [String] {
        let wanted = name.lowercased()
        return fields.filter { $0.name == wanted }.map { BounceBytes.collapsed(String(decoding: $0.value, as: UTF8.self)) }
    }

    var isEmpty: Bool { fields.isEmpty }
}
