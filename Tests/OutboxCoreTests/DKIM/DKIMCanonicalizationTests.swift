import Foundation
import Testing
@testable import OutboxCore

/// Relaxed canonicalisation against the examples of RFC 6376 §3.4.5 and the edge cases
/// its rules name (empty bodies, trailing empty lines, whitespace-only lines, no final CRLF).
@Suite struct DKIMCanonicalizationTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// RFC 6376 §3.4.5: the example message's header fields under relaxed canonicalisation.
    @Test func rfc6376HeaderExample() {
        #expect(DKIMCanonicalization.relaxedHeader(Self.bytes("A: X\r\n")) == Self.bytes("a:X"))
        #expect(DKIMCanonicalization.relaxedHeader(Self.bytes("B : Y\t\r\n\tZ  \r\n")) == Self.bytes("b:Y Z"))
    }

    /// RFC 6376 §3.4.5: the example body under relaxed canonicalisation.
    @Test func rfc6376BodyExample() {
        let body = Self.bytes(" C \r\nD \t E\r\n\r\n\r\n")
        #expect(DKIMCanonicalization.relaxedBody(body) == Self.bytes(" C\r\nD E\r\n"))
    }

    @Test func emptyAndBlankBodiesCanonicaliseToNothing() {
        #expect(DKIMCanonicalization.relaxedBody([]).isEmpty)
        #expect(DKIMCanonicalization.relaxedBody(Self.bytes("\r\n\r\n")).isEmpty)
        #expect(DKIMCanonicalization.relaxedBody(Self.bytes(" \t\r\n  \r\n")).isEmpty)
        // The body hash of an empty body (RFC 6376 errata 3192): SHA-256 of nothing.
        #expect([UInt8]().withUnsafeBufferPointer { DKIMSigner.bodyHash($0) } == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
    }

    @Test func bodyRules() {
        // A missing final CRLF is added; inner empty lines stay, trailing ones go.
        #expect(DKIMCanonicalization.relaxedBody(Self.bytes("a\r\n\r\nb")) == Self.bytes("a\r\n\r\nb\r\n"))
        // A whitespace-only line inside the body is an empty line, kept when text follows.
        #expect(DKIMCanonicalization.relaxedBody(Self.bytes("a\r\n \t \r\nb\r\n \r\n")) == Self.bytes("a\r\n\r\nb\r\n"))
        // Bare LF and CR are not line ends (RFC 5322): they are kept as they are.
        #expect(DKIMCanonicalization.relaxedBody(Self.bytes("a\nb \r\n")) == Self.bytes("a\nb\r\n"))
        // Leading whitespace is reduced, not removed.
        #expect(DKIMCanonicalization.relaxedBody(Self.bytes("\t\tx  y\r\n")) == Self.bytes(" x y\r\n"))
    }

    /// The streaming form passes long verbatim runs through; its output equals a line-by-line reference.
    @Test func streamingMatchesReference() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Self.bytes("ab \t\r\n")
        for _ in 0..<500 {
            let body = (0..<Int.random(in: 0..<60, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            #expect(DKIMCanonicalization.relaxedBody(body) == Self.reference(body), "\(body)")
        }
    }

    /// Header values: unfolded, inner whitespace reduced, ends trimmed, the name lower-cased.
    @Test func headerRules() {
        #expect(DKIMCanonicalization.relaxedHeader(Self.bytes("Subject:   Arve\r\n  nr  1 \t")) == Self.bytes("subject:Arve nr 1"))
        #expect(DKIMCanonicalization.relaxedHeader(Self.bytes("X-Empty:")) == Self.bytes("x-empty:"))
        #expect(DKIMCanonicalization.relaxedHeader(Self.bytes("X-Empty: \r\n ")) == Self.bytes("x-empty:"))
    }

    /// RFC 6376 §3.4.4 applied literally, line by line (the test's independent reading).
    static func reference(_ body: [UInt8]) -> [UInt8] {
        var lines: [[UInt8]] = []
        var current: [UInt8] = []
        var index = 0
        while index < body.count {
            if body[index] == 13, index + 1 < body.count, body[index + 1] == 10 {
                lines.append(current); current = []; index += 2
            } else {
                current.append(body[index]); index += 1
            }
        }
        if !current.isEmpty { lines.append(current) }
        var canonical = lines.map { line -> [UInt8] in
            var out: [UInt8] = []
            for byte in line {
                if byte == 32 || byte == 9 {
                    if out.last != 32 { out.append(32) }
                } else {
                    out.append(byte)
                }
            }
            while out.last == 32 { out.removeLast() }
            return out
        }
        while canonical.last?.isEmpty == true { canonical.removeLast() }
        return canonical.flatMap { $0 + [13, 10] }
    }
}
