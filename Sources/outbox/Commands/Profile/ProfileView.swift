import Foundation
import OutboxCore
import OutboxStore

/// A profile as shown to operators: every field, the secret only as "set".
struct ProfileView: Encodable {
    let owner: String
    let mode: String?
    let host: String?
    let port: Int?
    let tls: String?
    let username: String?
    /// `stored`, `credential:NAME` or nil — never the secret itself.
    let secret: String?
    let fromAddress: String?
    let fromName: String?
    let replyTo: String?
    let archiveBcc: String?
    let verifyTLS: Bool?
    let caFile: String?
    let bindAddress: String?
    let url: String?
    let perMinute: Int?
    let perHour: Int?
    let perDay: Int?
    let maxConnections: Int?
    let fromLogin: Bool?
    let heldUntil: Int64?
    let heldReason: String?

    init(_ record: ProfileRecord) {
        let f = record.fields
        owner = record.owner
        mode = f.mode?.rawValue; host = f.host; port = f.port; tls = f.tls?.word; username = f.username
        secret = record.secretCredential.map { "credential:\($0)" } ?? (f.secret == nil && f.secretUnavailable == nil ? nil : "stored")
        fromAddress = f.fromAddress; fromName = f.fromName; replyTo = f.replyTo; archiveBcc = f.archiveBcc
        verifyTLS = f.verifyTLS; caFile = f.caFile; bindAddress = f.bindAddress; url = f.url
        perMinute = f.perMinute; perHour = f.perHour; perDay = f.perDay; maxConnections = f.maxConnections
        fromLogin = f.fromLogin
        heldUntil = record.heldUntil; heldReason = record.heldReason
    }

    /// `name: value` lines; unset fields show as "(inherited)".
    var lines: [(String, String)] {
        func text(_ value: (some CustomStringConvertible)?) -> String { value.map { "\($0)" } ?? "(inherited)" }
        var result: [(String, String)] = [
            ("mode", text(mode)), ("host", text(host)), ("port", text(port)), ("tls", text(tls)),
            ("user", username.map { $0.isEmpty ? "(none: no authentication)" : $0 } ?? "(inherited)"),
            ("password", secret.map { $0 == "stored" ? "******** (stored)" : $0 } ?? "(inherited)"),
            ("from", text(fromAddress)), ("from-name", text(fromName)), ("reply-to", text(replyTo)),
            ("archive-bcc", text(archiveBcc)), ("verify-tls", text(verifyTLS)), ("ca-file", text(caFile)),
            ("bind-address", text(bindAddress)), ("url", text(url)),
            ("rate limits", "\(text(perMinute))/min \(text(perHour))/h \(text(perDay))/day"),
            ("connections", text(maxConnections)), ("from-login", text(fromLogin.map { $0 ? "on" : "off" })),
        ]
        if let heldReason { result.append(("HELD", "\(heldReason) until \(Formatting.time(heldUntil))")) }
        return result
    }

    func printLines() {
        for (name, value) in lines { print("  \(name.padding(toLength: 13, withPad: " ", startingAt: 0)) \(value)") }
    }
}
