/// RFC 4180 CSV: comma-separated, fields optionally in double quotes (`""` is a quote
/// inside them, and they may span lines), CRLF or LF line ends, UTF-8 with or without BOM.
public enum CSVParser {
    /// A parsed row with the 1-based line it starts on.
    public struct Row: Sendable, Hashable {
        public let line: Int
        public let fields: [String]
    }

    /// Parses the whole text; throws an ``IntakeError`` naming the line of an unclosed quote.
    public static func parse(_ text: String, source: String) throws(IntakeError) -> [Row] {
        var rows: [Row] = []
        var fields: [String] = []
        var field = [UInt8]()
        var inQuotes = false
        var line = 1
        var rowLine = 1
        var bytes = Array(text.utf8)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        var index = 0
        func endField() { fields.append(String(decoding: field, as: UTF8.self)); field.removeAll(keepingCapacity: true) }
        func endRow() {
            endField()
            if !(fields.count == 1 && fields[0].isEmpty) { rows.append(Row(line: rowLine, fields: fields)) }
            fields.removeAll()
        }
        while index < bytes.count {
            let byte = bytes[index]
            if inQuotes {
                if byte == UInt8(ascii: "\"") {
                    if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    field.append(byte)
                }
            } else {
                switch byte {
                case UInt8(ascii: "\"") where field.isEmpty: inQuotes = true
                case UInt8(ascii: ","): endField()
                case UInt8(ascii: "\r"): break
                case UInt8(ascii: "\n"):
                    endRow()
                    line += 1
                    rowLine = line
                default: field.append(byte)
                }
            }
            index += 1
        }
        if inQuotes {
            throw IntakeError(.syntax, location: "\(source) line \(rowLine)", field: nil, "a quoted field is never closed")
        }
        if !field.isEmpty || !fields.isEmpty { endRow() }
        return rows
    }
}
