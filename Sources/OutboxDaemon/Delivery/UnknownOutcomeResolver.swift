import Foundation
import Logging
import OutboxCore
import OutboxStore
import OutboxTransport

/// Works through the Sent-folder looks of unknown outcomes that are due: found → `sent`;
/// not found → the policy's fallback (resend after its wait, or hold for an operator); a
/// folder that cannot be searched is tried again, then the fallback applies. Each step is
/// one transaction with one event; a look cut short by a crash is made again after its
/// lease (``OutboxDatabase/takeDueSentChecks(now:lease:limit:)``), and the message is never
/// claimed meanwhile.
struct UnknownOutcomeResolver {
    let database: OutboxDatabase
    let configuration: DeliveryConfiguration
    private let logger = Logger(label: "outbox.unknown-outcome")

    init(database: OutboxDatabase, configuration: DeliveryConfiguration) {
        self.database = database
        self.configuration = configuration
    }

    /// Makes the looks due by `now` (a few at a time); returns how many were made.
    @discardableResult
    func resolveDue(now: Int64) -> Int {
        let policy = configuration.unknownOutcome
        let due: [UnknownOutcome]
        do {
            due = try database.takeDueSentChecks(now: now, lease: RetryPolicy.milliseconds(configuration.leaseDuration), limit: 8)
        } catch {
            logger.error("reading the due Sent-folder looks failed: \(error)")
            return 0
        }
        for parked in due {
            let resolution = look(for: parked, policy: policy)
            do {
                try database.resolveUnknown(messageID: parked.messageID, resolution, now: OutboxDatabase.milliseconds(Date()))
            } catch {
                logger.error("message \(parked.messageID): recording the Sent-folder look failed: \(error); it is looked for again later")
            }
        }
        return due.count
    }

    private func look(for parked: UnknownOutcome, policy: UnknownOutcomePolicy) -> UnknownResolution {
        let now = OutboxDatabase.milliseconds(Date())
        func fallback(_ reason: String) -> UnknownResolution {
            let plan = policy.fallbackPlan(since: parked.since, messageID: parked.headerMessageID)
            if plan.action == .resend {
                let at = max(now, plan.dueAt ?? now)
                return .resend(at: at, detail: "\(reason); sent again at \(Self.iso(at))")
            }
            return .hold(detail: "\(reason); held for an operator: outbox resolve \(parked.messageID) --sent|--resend")
        }
        guard let messageID = parked.headerMessageID else { return fallback("no Message-ID to look for") }
        let endpoint: MailboxEndpoint
        do {
            let read = try database.profileLayers(owner: parked.owner)
            let layers = ProfileLayers(own: read.own, global: read.global).readingSecretCredentials()
            let profile = ProfileResolver.resolve(owner: parked.owner, own: layers.own, global: layers.global, system: configuration.systemRelay)
            guard let target = SentCopyJob.target(for: profile, layers: layers, configuration: configuration) else {
                return fallback("the profile has no Sent folder any more")
            }
            endpoint = try target.get()
        } catch {
            return fallback("the Sent folder cannot be reached: \(error)")
        }
        do {
            if try IMAPSentSearch.contains(messageID: messageID, in: endpoint) {
                return .sent(detail: "accepted: found <\(messageID)> in \(endpoint.displayURL) after the connection was lost after the final \".\"")
            }
            return fallback("<\(messageID)> is not in \(endpoint.displayURL)")
        } catch {
            let reason = "searching \(endpoint.displayURL) for <\(messageID)> failed: \(error.reason)"
            guard parked.checks < policy.maximumChecks else { return fallback(reason + " (\(parked.checks) attempts)") }
            let at = now + RetryPolicy.milliseconds(policy.checkRetry)
            return .checkAgain(at: at, detail: "\(reason); looking again at \(Self.iso(at))")
        }
    }

    private static func iso(_ milliseconds: Int64) -> String {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000).formatted(.iso8601)
    }
}
