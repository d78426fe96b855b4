import OutboxStore

/// The queue: held profiles (with the reason and hint their `profile-held` event carries)
/// and how long the longest-due message has waited.
enum QueueChecks {
    static func run(_ health: QueueHealth, now: Int64) -> [DoctorFinding] {
        var findings = health.holds.map { hold -> DoctorFinding in
            let configuration = hold.reason.hasPrefix(OutboxDatabase.configurationHoldPrefix)
            return .warning("held \(hold.owner)", "the profile is held until \(Formatting.time(hold.until)): \(hold.reason)",
                            fix: configuration
                                ? "correct outbox.conf, then systemctl reload outbox (a reload lifts configuration holds)"
                                : "run outbox profile test \(hold.owner) and correct the profile with outbox profile set \(hold.owner) … "
                                    + "(a change lifts the hold); otherwise it is tried again at \(Formatting.time(hold.until))")
        }
        guard let due = health.oldestDueAt else {
            findings.append(.ok("queue age", "nothing is waiting to be sent (\(health.waiting) queued or deferred, none due)"))
            return findings
        }
        let age = now - due
        let text = "the longest-due message has waited \(Formatting.age(age)) (\(health.waiting) queued or deferred)"
        let fix = "check that the service runs (systemctl status outbox) and the journal (journalctl -u outbox)"
        if age > problemAge { findings.append(.problem("queue age", text, fix: fix)) }
        else if age > warningAge { findings.append(.warning("queue age", text, fix: fix)) }
        else { findings.append(.ok("queue age", text)) }
        return findings
    }

    /// A due message normally leaves within seconds; after this the daemon is not keeping up or not running.
    static let warningAge: Int64 = 5 * 60_000
    static let problemAge: Int64 = 60 * 60_000
}
