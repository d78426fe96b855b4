import OutboxStore

/// The sender-problem counters (bounces that refused an owner's sender, never held
/// against the recipient) as `status` and `profile show` print them.
enum SenderProblemText {
    static func lines(_ problems: [SenderProblemRecord], showOwner: Bool) -> [String] {
        guard !problems.isEmpty else { return [] }
        let header = (showOwner ? ["OWNER"] : []) + ["REASON", "COUNT", "FIRST", "LATEST", "EVENT"]
        let rows = problems.map {
            (showOwner ? [$0.owner] : []) + [$0.reason, String($0.count), Formatting.time($0.firstAt), Formatting.time($0.lastAt),
                                             $0.lastEventID.map { "#\($0)" } ?? "-"]
        }
        return ["sender problems (receivers refused the sender: check its server, IP reputation, SPF/DKIM/DMARC, volume):",
                Formatting.table([header] + rows)]
    }
}
