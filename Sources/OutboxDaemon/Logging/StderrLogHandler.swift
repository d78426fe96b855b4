import Foundation
import Logging

/// One line per entry on stderr: `2026-05-04T09:30:00.123Z info message key=value …`
/// (UTC, metadata sorted by key, values with spaces or quotes quoted, secrets redacted).
public struct StderrLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let shared: LogLevelSetting
    private var ownLevel: Logger.Level?

    init(label _: String, level: LogLevelSetting, metadataProvider: Logger.MetadataProvider? = nil) {
        self.shared = level
        self.metadataProvider = metadataProvider
    }

    public var logLevel: Logger.Level {
        get { ownLevel ?? shared.value }
        set { ownLevel = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = LogMetadataMerge.merge(handler: metadata, provider: metadataProvider, call: event.metadata)
        Self.write(Self.line(date: Date(), level: event.level, message: "\(event.message)", metadata: merged))
    }

    /// The line without its newline; pure for tests.
    public static func format(date: Date, level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        String(decoding: line(date: date, level: level, message: message, metadata: metadata, newline: false), as: UTF8.self)
    }

    /// The line's bytes, built in one buffer (the daemon logs one per delivered message).
    static func line(date: Date, level: Logger.Level, message: String, metadata: Logger.Metadata, newline: Bool = true) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(96 + message.utf8.count + 32 * metadata.count)
        appendTimestamp(date, to: &bytes)
        bytes.append(32)
        bytes.append(contentsOf: level.rawValue.utf8)
        bytes.append(32)
        LogText.appendEscapingLineFeeds(message, to: &bytes)
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            bytes.append(32)
            bytes.append(contentsOf: key.utf8)
            bytes.append(UInt8(ascii: "="))
            LogText.appendQuoted(LogRedaction.render(key: key, value: value), to: &bytes)
        }
        if newline { bytes.append(10) }
        return bytes
    }

    /// Writes a whole line to stderr.
    static func write(_ line: [UInt8]) {
        _ = line.withUnsafeBytes { Foundation.write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    static func timestamp(_ date: Date) -> String {
        var bytes: [UInt8] = []
        appendTimestamp(date, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `2026-05-04T09:30:00.123Z` (UTC, milliseconds rounded down).
    static func appendTimestamp(_ date: Date, to bytes: inout [UInt8]) {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(milliseconds.quotientAndRemainder(dividingBy: 1000).quotient)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let fraction = Int((milliseconds % 1000 + 1000) % 1000)
        appendDecimal(Int(parts.tm_year) + 1900, width: 4, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        appendDecimal(Int(parts.tm_mon) + 1, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        appendDecimal(Int(parts.tm_mday), width: 2, to: &bytes)
        bytes.append(UInt8(ascii: "T"))
        appendDecimal(Int(parts.tm_hour), width: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendDecimal(Int(parts.tm_min), width: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendDecimal(Int(parts.tm_sec), width: 2, to: &bytes)
        bytes.append(UInt8(ascii: "."))
        appendDecimal(fraction, width: 3, to: &bytes)
        bytes.append(UInt8(ascii: "Z"))
    }

    /// `value` as `%0<width>d` prints it: zero-padded to `width` digits, never cut.
    private static func appendDecimal(_ value: Int, width: Int, to bytes: inout [UInt8]) {
        guard value >= 0, value < 1_000_000_000 else {
            bytes.append(contentsOf: String(format: "%0\(width)d", value).utf8)
            return
        }
        var divisor = 1, digits = 1
        while divisor * 10 <= value {
            divisor *= 10
            digits += 1
        }
        for _ in digits..<max(width, digits) { bytes.append(UInt8(ascii: "0")) }
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }
}
