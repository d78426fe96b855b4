import CResolv
import Foundation
import Synchronization

/// DNS TXT lookups through glibc's resolver, with a cache: the one DNS component of Outbox
/// (DKIM records for `outbox doctor`; DMARC and SPF records for DMARC-aware routing).
///
/// Asks the servers of /etc/resolv.conf, or `server` when one is configured; each server is
/// asked `attempts` times, waiting `timeout` for each answer, so one lookup takes at most
/// about `timeout × attempts × servers`. Answers are cached for their TTL (the smallest of
/// their records', at most ``maximumTTL``); a name without TXT records (NXDOMAIN or no data)
/// for ``negativeTTL``; a failed lookup (no answer, SERVFAIL) for ``failureTTL``, so a
/// resolver that is down costs one timeout per name and interval, not one per message.
/// Thread-safe: every lookup has its own resolver state.
public final class TXTResolver: Sendable {
    /// The server asked; nil for the system's resolvers.
    public let server: DNSServerAddress?
    public let timeout: Duration
    public let attempts: Int
    public let negativeTTL: Duration
    public let failureTTL: Duration
    public let maximumTTL: Duration
    private let cache = Mutex<[String: Entry]>([:])
    private let clock: @Sendable () -> ContinuousClock.Instant

    /// A lookup's outcome as cached: the record texts, or why there was no answer.
    private struct Entry {
        let result: Result<[String], DNSLookupError>
        let expires: ContinuousClock.Instant
    }

    /// Names cached at most; past it, expired entries go, then all of them.
    static let cacheLimit = 10_000

    public init(server: DNSServerAddress? = nil, timeout: Duration = .seconds(2), attempts: Int = 2, negativeTTL: Duration = .seconds(60),
                failureTTL: Duration = .seconds(30), maximumTTL: Duration = .seconds(3600),
                clock: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.server = server
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.negativeTTL = negativeTTL
        self.failureTTL = failureTTL
        self.maximumTTL = maximumTTL
        self.clock = clock
    }

    /// Where lookups go, as operators read it: `127.0.0.1:5353` or `the system resolver (/etc/resolv.conf)`.
    public var serverDescription: String { server?.description ?? "the system resolver (/etc/resolv.conf)" }

    /// The TXT records of `name`, each record's character-strings joined (as DKIM, SPF and
    /// DMARC read them); empty when the name does not exist or has no TXT record.
    public func txt(_ name: String) throws(DNSLookupError) -> [String] {
        let key = name.lowercased().hasSuffix(".") ? String(name.lowercased().dropLast()) : name.lowercased()
        let now = clock()
        if let entry = cache.withLock({ $0[key] }), entry.expires > now { return try entry.result.get() }
        let (result, ttl) = query(key)
        cache.withLock { entries in
            if entries.count >= Self.cacheLimit { entries = entries.filter { $0.value.expires > now } }
            if entries.count >= Self.cacheLimit { entries.removeAll() }
            if ttl > .zero { entries[key] = Entry(result: result, expires: now + ttl) }
        }
        return try result.get()
    }

    /// One query, not cached: the result and how long it may be cached.
    private func query(_ name: String) -> (Result<[String], DNSLookupError>, Duration) {
        guard !name.isEmpty, name.utf8.count <= 253, !name.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 0x21 } == true }) else {
            return (.failure(DNSLookupError(.invalidName, "'\(name)' is not a DNS name")), .zero)
        }
        var answer = [UInt8](repeating: 0, count: 65_535)
        var error: Int32 = 0
        let seconds = Int32(max(1, timeout.components.seconds))
        let length: Int32
        if let server {
            length = cresolv_query_txt(name, server.host, Int32(server.port), seconds, Int32(attempts), &answer, Int32(answer.count), &error)
        } else {
            length = cresolv_query_txt(name, nil, 0, seconds, Int32(attempts), &answer, Int32(answer.count), &error)
        }
        guard length >= 0 else {
            switch error {
            case HOST_NOT_FOUND, NO_DATA: return (.success([]), negativeTTL)
            case TRY_AGAIN:
                return (.failure(DNSLookupError(.unreachable, "no answer for \(name) from \(serverDescription) (timed out or server failure)")), failureTTL)
            default:
                return (.failure(DNSLookupError(.failed, "the lookup of \(name) at \(serverDescription) failed (resolver error \(error))")), failureTTL)
            }
        }
        guard let (texts, ttl) = Self.records(answer, length: Int(length)) else {
            return (.failure(DNSLookupError(.failed, "the answer for \(name) from \(serverDescription) does not parse")), failureTTL)
        }
        return (.success(texts), texts.isEmpty ? negativeTTL : min(.seconds(Int64(ttl)), maximumTTL))
    }

    /// The TXT records of an answer and the smallest TTL among them; nil when it does not parse.
    private static func records(_ answer: [UInt8], length: Int) -> ([String], UInt32)? {
        let count = cresolv_answer_count(answer, Int32(length))
        guard count >= 0 else { return nil }
        var texts: [String] = []
        var ttl: UInt32 = .max
        for index in 0..<count {
            var type: Int32 = 0, recordTTL: UInt32 = 0, rdlength: Int32 = 0
            var rdata: UnsafePointer<UInt8>?
            guard cresolv_answer_record(answer, Int32(length), index, &type, &recordTTL, &rdata, &rdlength) == 0, let rdata else { return nil }
            ttl = min(ttl, recordTTL)  // a CNAME on the way bounds the answer's life too
            guard type == 16 else { continue }  // TXT
            guard let text = characterStrings(UnsafeBufferPointer(start: rdata, count: Int(rdlength))) else { return nil }
            texts.append(text)
        }
        return (texts, ttl == .max ? 0 : ttl)
    }

    /// A TXT record's character-strings (each a length octet and that many octets), joined.
    private static func characterStrings(_ data: UnsafeBufferPointer<UInt8>) -> String? {
        var bytes: [UInt8] = []
        var index = 0
        while index < data.count {
            let length = Int(data[index])
            guard index + 1 + length <= data.count else { return nil }
            bytes += data[(index + 1)..<(index + 1 + length)]
            index += 1 + length
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
