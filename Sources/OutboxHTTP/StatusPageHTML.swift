import Foundation
import OutboxStore

/// The status page's HTML: self-contained (inline CSS, charts as inline SVG, no script),
/// one column on a phone. Every value from the store is escaped.
enum StatusPageHTML {
    /// Chart colours (the headless-browser test looks for them in the screenshot).
    enum Colour {
        static let sent = "#2e7d32"
        static let failed = "#c62828"
        static let bounced = "#ef6c00"
        static let queue = "#1565c0"
    }

    /// A whole page around `content`.
    static func page(title: String, refreshSeconds: Int? = nil, _ content: String) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        \(refreshSeconds.map { "<meta http-equiv=\"refresh\" content=\"\($0)\">" } ?? "")<title>\(escape(title))</title>
        <style>
        body{font-family:system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:.5rem 1rem 2rem;line-height:1.4;color:#222}
        h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.6rem}svg{width:100%;height:auto;display:block}
        .scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:.9rem}
        td,th{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}
        .muted{color:#666;font-size:.85rem}.key span{display:inline-block;width:.8rem;height:.8rem;margin:0 .3rem 0 .8rem}
        code{word-break:break-all}
        </style></head>
        <body>
        \(content)
        </body></html>
        """
    }

    /// `/`: queue now, the 24-hour outcome chart, reasons, holds and the latest failures.
    static func overview(status: OutboxStatus, health: QueueHealth, outcomes: OutcomeOverview, now: Int64) -> String {
        var html = "<h1>Outbox status</h1><p class=\"muted\">\(escape(timestamp(now))) · refreshes every minute</p>"
        html += "<h2>Queue now</h2>"
        let states = status.totals.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
        html += states.isEmpty ? "<p>The outbox is empty.</p>"
            : barChart(id: "queue-chart", label: "Messages by state", states.map { ($0.key, $0.value, Colour.queue) })
        if let oldest = status.oldestQueuedAt { html += "<p class=\"muted\">Oldest queued message: \(escape(timestamp(oldest)))</p>" }

        let totals = outcomes.minutes.reduce(into: (sent: 0, failed: 0, bounced: 0)) { $0.sent += $1.sent; $0.failed += $1.failed; $0.bounced += $1.bounced }
        html += "<h2>Last 24 hours</h2><p>\(totals.sent) sent · \(totals.failed) failed · \(totals.bounced) bounced</p>"
        html += minuteChart(outcomes, now: now)

        html += "<h2>Failure and bounce reasons (24 h)</h2>"
        html += outcomes.reasons.isEmpty ? "<p>None.</p>"
            : barChart(id: "reason-chart", label: "Failures and bounces by reason",
                       outcomes.reasons.map { ("\($0.kind): \($0.reason)", $0.count, $0.kind == "bounced" ? Colour.bounced : Colour.failed) })

        html += "<h2>Held profiles</h2>"
        html += health.holds.isEmpty ? "<p>None.</p>" : table(["Owner", "Held until", "Reason"], health.holds.map {
            [escape($0.owner), escape(timestamp($0.until)), escape($0.reason)]
        })

        html += "<h2>Latest failures</h2>"
        html += outcomes.latestFailures.isEmpty ? "<p>None.</p>" : table(["When", "Message", "Kind", "Recipient", "Reason"], outcomes.latestFailures.map { failure in
            let event = failure.event
            let message = event.messageID.map { "<a href=\"\(StatusRoutes.messagePath($0))\">#\($0)</a>" } ?? ""
            let reason = OutcomeOverview.reasonLabel(kind: event.kind, reason: event.reason, code: event.code)
            return [escape(timestamp(event.at)), message, escape(event.kind), escape(event.recipient ?? failure.firstRecipient ?? ""),
                    escape(reason) + (event.detail.map { "<br><span class=\"muted\">\(escape($0))</span>" } ?? "")]
        })
        return page(title: "Outbox status", refreshSeconds: 60, html)
    }

    /// `/status/messages/{id}`: one message and its timeline.
    static func message(_ detail: MessageDetail) -> String {
        let summary = detail.summary
        var html = "<p><a href=\"/\">← Status</a></p><h1>Message #\(summary.id)</h1>"
        html += table(["", ""], [
            ["Subject", escape(summary.subject)], ["Owner", escape(summary.owner)], ["State", escape(summary.state)],
            ["Key", escape(summary.key ?? "")], ["Batch", String(summary.batchID)], ["Attempts", String(summary.attempts)],
            ["Created", escape(timestamp(summary.createdAt))], ["Last error", escape(summary.lastError ?? "")],
        ], header: false)
        html += "<h2>Recipients</h2>" + table(["Kind", "Address", "State", "Last reply"], detail.recipients.map {
            [escape($0.kind), escape($0.address), escape($0.state),
             escape([$0.lastCode.map(String.init), $0.lastReply, $0.bounceReason].compactMap { $0 }.joined(separator: " "))]
        })
        html += "<h2>Timeline</h2>" + table(["When", "Event", "Recipient", "Detail"], detail.events.map {
            [escape(timestamp($0.at)), escape($0.kind), escape($0.recipient ?? ""),
             escape([$0.code.map(String.init), $0.enhancedCode, $0.reason, $0.detail].compactMap { $0 }.joined(separator: " "))]
        })
        return page(title: "Message #\(summary.id)", html)
    }

    /// The login form that sets the status cookie.
    static func login(failed: Bool) -> String {
        page(title: "Outbox status: sign in", """
            <h1>Outbox status</h1>
            \(failed ? "<p><strong>That token is not valid here.</strong></p>" : "")
            <form method="post" action="\(StatusRoutes.loginPath)">
            <p><label>API token (one not limited to owners)<br><input type="password" name="token" autocomplete="current-password" required style="width:100%"></label></p>
            <p><button type="submit">Sign in</button></p></form>
            <p class="muted">The token is kept in an HttpOnly cookie for 12 hours.</p>
            """)
    }

    /// Sends (green) with failures (red) and bounces (orange) stacked below them, one
    /// 2-pixel column per minute, over the 24 hours before `now`.
    static func minuteChart(_ outcomes: OutcomeOverview, now: Int64) -> String {
        let width = 1440, height = 160
        let first = now / 60_000 - Int64(width) + 1
        let peak = max(1, outcomes.minutes.map { $0.sent + $0.failed + $0.bounced }.max() ?? 1)
        var paths = (sent: "", failed: "", bounced: "")
        for minute in outcomes.minutes where minute.minute >= first {
            let x = Double(minute.minute - first) + 0.5
            var base = Double(height)
            func column(_ count: Int, _ path: inout String) {
                guard count > 0 else { return }
                let top = base - Double(count) / Double(peak) * Double(height - 10)
                path += "M\(x) \(base)V\(min(top, base - 1))"
                base = top
            }
            column(minute.failed, &paths.failed)
            column(minute.bounced, &paths.bounced)
            column(minute.sent, &paths.sent)
        }
        func series(_ id: String, _ d: String, _ colour: String) -> String {
            d.isEmpty ? "" : "<path id=\"\(id)\" d=\"\(d)\" stroke=\"\(colour)\" stroke-width=\"3\" vector-effect=\"non-scaling-stroke\" shape-rendering=\"crispEdges\" fill=\"none\"/>"
        }
        return """
            <svg id="minute-chart" viewBox="0 0 \(width) \(height + 20)" preserveAspectRatio="none" role="img" aria-label="Outcomes per minute, last 24 hours">\
            <title>Outcomes per minute, last 24 hours (peak \(peak) per minute)</title>\
            <rect x="0" y="0" width="\(width)" height="\(height)" fill="#f6f6f6"/>\
            \(series("sent-series", paths.sent, Colour.sent))\(series("failed-series", paths.failed, Colour.failed))\(series("bounced-series", paths.bounced, Colour.bounced))\
            </svg>
            <p class="muted key" style="display:flex;justify-content:space-between"><span style="width:auto;height:auto;margin:0">24 h ago</span>\
            <span style="width:auto;height:auto;margin:0">peak \(peak)/min</span><span style="width:auto;height:auto;margin:0">now</span></p>
            <p class="muted key"><span style="background:\(Colour.sent)"></span>sent<span style="background:\(Colour.failed)"></span>failed\
            <span style="background:\(Colour.bounced)"></span>bounced</p>
            """
    }

    /// Horizontal bars with their label and count.
    static func barChart(id: String, label: String, _ bars: [(label: String, count: Int, colour: String)]) -> String {
        let row = 28, labelWidth = 260, width = 640
        let peak = max(1, bars.map(\.count).max() ?? 1)
        var svg = "<svg id=\"\(id)\" viewBox=\"0 0 \(width) \(bars.count * row)\" role=\"img\" aria-label=\"\(escape(label))\"><title>\(escape(label))</title>"
        for (index, bar) in bars.enumerated() {
            let y = index * row
            let length = max(2, (width - labelWidth - 70) * bar.count / peak)
            svg += "<text x=\"0\" y=\"\(y + 19)\" font-size=\"15\">\(escape(String(bar.label.prefix(34))))</text>"
            svg += "<rect class=\"bar\" x=\"\(labelWidth)\" y=\"\(y + 4)\" width=\"\(length)\" height=\"\(row - 8)\" fill=\"\(bar.colour)\"/>"
            svg += "<text x=\"\(labelWidth + length + 6)\" y=\"\(y + 19)\" font-size=\"15\">\(bar.count)</text>"
        }
        return svg + "</svg>"
    }

    static func table(_ headings: [String], _ rows: [[String]], header: Bool = true) -> String {
        var html = "<div class=\"scroll\"><table>"
        if header { html += "<tr>" + headings.map { "<th>\(escape($0))</th>" }.joined() + "</tr>" }
        for row in rows { html += "<tr>" + row.map { "<td>\($0)</td>" }.joined() + "</tr>" }
        return html + "</table></div>"
    }

    /// UTC, to the second: the same on the operator's phone and in the logs.
    static func timestamp(_ milliseconds: Int64) -> String {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000).ISO8601Format().replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: " UTC")
    }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
