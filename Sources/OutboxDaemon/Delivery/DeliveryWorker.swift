import Foundation
import Logging
import OutboxCore
import OutboxStore
import OutboxTransport

/// One sender: claims batches of due messages and sends them one at a time over sessions
/// from the engine's ``ConnectionPool``. Runs on its own thread.
///
/// Outcomes go to the ``GroupCommitter`` without waiting; the worker waits for them only
/// before its next message can be accepted (before the body after DATA, before a Maildir
/// write or HTTP post), so a commit overlaps the next message's MAIL, RCPT and DATA while
/// each worker has at most one accepted-but-unrecorded message.
final class DeliveryWorker {
    private let engine: DeliveryEngine
    /// Outcomes handed to the committer and not yet seen committed, oldest first.
    private var outstanding: [Outstanding] = []
    /// The owner whose rate-limit reservation the message being delivered holds.
    private var reservation: (owner: String, recipients: Int)?
    private var maildirs: [String: MaildirTransport] = [:]
    private var leaseRenewedAt: Int64 = 0
    /// Each owner's profile as read (from the claim, or re-read) and resolved.
    private var profiles: [String: OwnerProfile] = [:]
    private let logger: Logger
    /// The DKIM keys, read through the store (SQLite, or PostgreSQL shared by the nodes).
    private lazy var dkimKeys = DKIMKeyring(store: engine.store)
    /// This worker's name in ``EngineProgress``.
    private let name: String
    private let isFirst: Bool

    init(engine: DeliveryEngine, number: Int) {
        self.engine = engine
        var logger = Logger(label: "outbox.delivery")
        logger[metadataKey: "worker"] = "\(number)"
        self.logger = logger
        self.name = "worker \(number)"
        self.isFirst = number == 1
    }

    private var configuration: DeliveryConfiguration { engine.configuration }
    private var store: any DeliveryStore { engine.store }

    /// Runs until the engine stops, or — with `dueBy` set (a `--once` run) — until no
    /// message due by then is left.
    func run(dueBy: Int64?) {
        defer {
            _ = settle()
            engine.progress.end(name)
        }
        while !engine.isStopping {
            let seen = engine.wake.current
            let now = Self.now()
            engine.progress.begin(name)
            // One worker makes the due Sent-folder looks of unknown outcomes, between batches.
            // … and, on a shared store, takes over the messages of other nodes' expired leases.
            if isFirst {
                engine.unknownOutcomes?.resolveDue(now: now)
                engine.reclaimExpired(now: now)
            }
            let batch: [ClaimedMessage]
            do {
                let claimed = try store.claimBatch(
                    leaseOwner: engine.leaseOwner, limit: configuration.batchSize, now: now, dueBy: dueBy ?? now,
                    leaseUntil: now + RetryPolicy.milliseconds(configuration.leaseDuration))
                batch = claimed.messages
                profiles = claimed.profiles.reduce(into: [:]) { profiles, entry in
                    profiles[entry.key] = OwnerProfile(owner: entry.key, entry.value.readingSecretCredentials(), readAt: claimed.claimedAt, configuration)
                }
                leaseRenewedAt = now
            } catch {
                logger.error("claiming messages failed: \(error)")
                engine.progress.end(name)
                if dueBy != nil { return }
                engine.wake.wait(since: seen, until: Date().addingTimeInterval(1))
                continue
            }
            if batch.isEmpty {
                if dueBy != nil { return }
                _ = settle()
                // The last worker to run out of work closes the shared idle connections.
                if engine.committer.busyWorkers == 0 { engine.connections.closeIdle() }
                engine.progress.end(name)
                engine.wake.wait(since: seen, until: idleDeadline())
                continue
            }
            engine.committer.setBusy(true)
            defer { engine.committer.setBusy(false) }
            for (index, message) in batch.enumerated() {
                engine.progress.begin(name)
                if engine.isStopping {
                    release(batch[index...].map(\.id), because: "the daemon is stopping")
                    break
                }
                // Without a renewed lease another daemon may claim and send these messages too.
                guard renewLeaseIfDue() else {
                    release(batch[index...].map(\.id), because: "their lease could not be renewed")
                    break
                }
                deliver(message)
            }
        }
    }

    /// Puts claimed messages back to `queued` now; when that fails they stay leased to this
    /// engine until the lease expires (or the next start reclaims them). Logs either way.
    /// A rate-limit pause at most this long is waited out by the worker, keeping its message,
    /// instead of putting the message back in the queue: evenly spread sends (Microsoft 365's
    /// 30 a minute are one every 2 s) would otherwise end a drain after each message.
    static let shortRateWait: Int64 = 2_000

    /// ``RateGate/reserve(_:recipients:now:)``, sleeping through pauses of at most
    /// ``shortRateWait`` (a few times at most, and not while stopping); returns the pause that
    /// remains, if any, for the message to go back to the queue until then.
    private func reserveWaitingOutShortPauses(
        _ rateGate: RateGate, _ profile: ResolvedProfile, recipients: Int, now start: Int64
    ) throws -> (until: Int64, reason: String)? {
        var now = start
        var pause = try rateGate.reserve(profile, recipients: recipients, now: now)
        for _ in 0..<5 {
            guard let short = pause, short.until - now <= Self.shortRateWait, !engine.isStopping else { break }
            Thread.sleep(forTimeInterval: Double(max(0, short.until - now)) / 1000)
            now = Self.now()
            pause = try rateGate.reserve(profile, recipients: recipients, now: now)
        }
        return pause
    }

    private func release(_ ids: [Int64], because reason: String) {
        guard !ids.isEmpty else { return }
        do {
            let released = try store.release(leaseOwner: engine.leaseOwner, messageIDs: ids, now: Self.now())
            engine.counters.add { $0.released += released }
            logger.debug("released \(released) message(s): \(reason)")
        } catch {
            logger.error("releasing \(ids.count) message(s) (\(reason)) failed: \(error); they are claimable again when their lease expires",
                         metadata: ["message-ids": "\(ids.map(String.init).joined(separator: ","))"])
        }
    }

    /// The idle recheck on a shared store: a fallback only, since `NOTIFY` wakes idle workers
    /// and the next wake time covers due deferrals, ending pauses and expiring leases — every
    /// recheck is a claim and a query per worker on every node.
    static let sharedIdleRecheck: Duration = .seconds(30)

    private func idleDeadline() -> Date {
        let every = engine.store.isShared ? max(configuration.idleRecheck, Self.sharedIdleRecheck) : configuration.idleRecheck
        let recheck = Date().addingTimeInterval(Double(RetryPolicy.milliseconds(every)) / 1000)
        let next: Int64?
        do { next = try store.nextWakeTime() } catch {
            logger.warning("reading the next due time failed: \(error); looking again after the idle recheck")
            return recheck
        }
        guard let next else { return recheck }
        return min(recheck, Date(timeIntervalSince1970: Double(next) / 1000 + 0.005))
    }

    /// Renews this engine's leases once a third of the lease has passed; false (logged) when
    /// the renewal failed, so the worker sends nothing more from its batch.
    private func renewLeaseIfDue() -> Bool {
        let now = Self.now(), lease = RetryPolicy.milliseconds(configuration.leaseDuration)
        guard now - leaseRenewedAt > lease / 3 else { return true }
        do {
            try store.renewLeases(leaseOwner: engine.leaseOwner, until: now + lease)
        } catch {
            logger.error("renewing the leases failed: \(error); this worker stops sending its batch")
            return false
        }
        leaseRenewedAt = now
        return true
    }

    /// The owner's profile, read at most ``DeliveryConfiguration/profileStaleness`` ago.
    private func ownerProfile(_ owner: String, now: Int64) throws -> OwnerProfile {
        if let cached = profiles[owner], now - cached.readAt <= RetryPolicy.milliseconds(configuration.profileStaleness) {
            return cached
        }
        let read = try store.profileLayers(owner: owner)
        let layers = ProfileLayers(own: read.own, global: read.global).readingSecretCredentials()
        let profile = OwnerProfile(owner: owner, layers, readAt: now, configuration)
        profiles[owner] = profile
        return profile
    }

    /// Resolves, composes, sends and records one message.
    private func deliver(_ message: ClaimedMessage) {
        let now = Self.now()
        var profile: ResolvedProfile
        let unavailableSecret: String?
        let sentCopy: SentCopyTarget?
        do {
            let owner = try ownerProfile(message.owner, now: now)
            (profile, unavailableSecret, sentCopy) = (owner.resolved, owner.unavailableSecret, owner.sentCopy)
        } catch {
            logger.error("reading the profile of owner \(message.owner) failed: \(error); message \(message.id) goes back to the queue")
            release([message.id], because: "the profile could not be read")
            return
        }
        if let unavailableSecret {  // a secret this process cannot open or read: hold until it is back, never send without it
            let reason = unavailableSecret  // the hold reason, worded by the problem's cause (UnavailableSecret.holdReason)
            hold(message, reason: reason, code: nil, enhancedCode: nil)
            return
        }
        switch configuration.dmarc?.decide(profile, configuration: configuration) ?? .send {
        case .send: break
        case .sendUnchecked(let why): logger.notice("message \(message.id) of \(message.owner): DMARC not checked (\(why)); sent as it is")
        case .replyToMode(let why):
            logger.notice("message \(message.id) of \(message.owner) goes in reply-to mode: \(why)")
            profile.mode = .replyTo
        case .hold(let reason):
            hold(message, reason: OutboxDatabase.configurationHoldPrefix + reason, code: nil, enhancedCode: nil)
            return
        }
        let route = DeliveryRoute.plan(profile, configuration: configuration)
        var smtp: AuthorisedSMTPRoute?
        switch route {
        case .misconfigured(let reason):
            hold(message, reason: OutboxDatabase.configurationHoldPrefix + reason, code: nil, enhancedCode: nil)
            return
        case .smtp(let planned):
            // The one step of routing that may go to the network: an access token, refreshed when due.
            do { smtp = try planned.authorise(tokens: configuration.accessTokens, now: now) } catch {
                hold(message, reason: "configuration: " + error.reason, code: nil, enhancedCode: nil)
                return
            }
        case .maildir, .http:
            break
        }
        if let missing = Self.missingOnThisStore(engine, profile: profile, sentCopy: sentCopy) {
            hold(message, reason: OutboxDatabase.configurationHoldPrefix + missing, code: nil, enhancedCode: nil)
            return
        }
        let openRecipients = message.recipients.filter(\.isOpen).count
        do {
            if let rateGate = engine.rateGate, let pause = try reserveWaitingOutShortPauses(rateGate, profile, recipients: openRecipients, now: now) {
                try store.pauseForRateLimit(owner: message.owner, messageID: message.id, leaseOwner: engine.leaseOwner,
                                               until: pause.until, reason: pause.reason, now: now)
                engine.counters.add { $0.rateLimited += 1 }
                return
            }
        } catch {
            logger.error("checking the rate limit of owner \(message.owner) failed: \(error); message \(message.id) goes back to the queue")
            release([message.id], because: "the rate limit could not be checked")
            return
        }
        reservation = (message.owner, openRecipients)
        defer {
            if let held = reservation { engine.rateGate?.finish(owner: held.owner, recipients: held.recipients, sent: false) }
            reservation = nil
        }
        let assembly: MessageAssembly
        switch MessageAssembly.make(message, profile: profile, domain: configuration.messageIDDomain, policy: configuration.senderPolicy,
                                    dkim: (configuration.dkim, dkimKeys), now: Date()) {
        case .failure(let failure) where failure.holdsProfile:
            hold(message, reason: failure.reason, code: nil, enhancedCode: nil)
            return
        case .failure(let failure):
            record(message, DeliveryRecord(verdict: .failed, text: failure.reason))
            return
        case .success(let value):
            assembly = value
        }
        // No open recipient left (suppressed at claim, or all done): the archive copy alone is not sent.
        guard message.recipients.contains(where: \.isOpen), !assembly.recipients.isEmpty else {
            if message.recipients.contains(where: { $0.state == .suppressed }), !message.recipients.contains(where: { $0.state == .sent }) {
                record(message, DeliveryRecord(verdict: .failed, text: "not sent: every recipient is on the suppression list"))
            } else {
                record(message, DeliveryRecord(verdict: .sent, text: "no open recipients left"))
            }
            return
        }
        switch route {
        case .smtp:
            if let smtp { sendSMTP(message, assembly, key: smtp.key, credentials: smtp.credentials, profile: profile, sentCopy: sentCopy) }
        case .maildir(let directory):
            writeMaildir(message, assembly, directory: directory)
        case .http(let endpoint):
            sendHTTP(message, assembly, endpoint: endpoint, profile: profile)
        case .misconfigured:
            break
        }
    }

    private func sendSMTP(
        _ message: ClaimedMessage, _ assembly: MessageAssembly, key: SessionKey, credentials: SMTPCredentials, profile: ResolvedProfile,
        sentCopy: SentCopyTarget? = nil, isRetryWithFreshToken: Bool = false
    ) {
        guard let verdict = exchange(message, assembly, key: key, credentials: credentials, profile: profile) else { return }
        switch verdict {
        case .record(let outcome):
            var copy: SentCopyJob?
            if case .sent = outcome.verdict, let sentCopy, SentCopyJob.appendsCopy(for: profile) {
                copy = SentCopyJob(messageID: message.id, owner: message.owner, bytes: assembly.bytes, target: sentCopy)
            }
            record(message, outcome.keepingSentHeader(of: assembly), sentCopy: copy)
        case .hold(let reason, let code, let enhanced):
            // OAuth modes: a refused access token is refreshed once and the send retried.
            if profile.mode.usesOAuth, code == 535, !isRetryWithFreshToken, let tokens = configuration.accessTokens,
                let fresh = refreshedToken(tokens, profile: profile, rejected: key.secret)
            {
                let retried = SMTPCredentials.oauth2(user: key.user, bearerToken: fresh)
                let retryKey = SessionKey(endpoint: key.endpoint, user: key.user, secret: fresh, mechanism: retried.mechanism)
                sendSMTP(message, assembly, key: retryKey, credentials: retried, profile: profile, isRetryWithFreshToken: true)
                return
            }
            hold(message, reason: reason, code: code, enhancedCode: enhanced)
        case .unknown(let detail):
            // A look in Sent needs the resolver that makes it (SQLite only for now); else the plan's fallback.
            parkUnknown(message, assembly, detail: detail, canCheckSent: engine.unknownOutcomes != nil && (try? sentCopy?.get()) != nil)
        }
    }

    /// Records an unknown outcome with its first step: a look in Sent, a resend after a wait or a hold.
    private func parkUnknown(_ message: ClaimedMessage, _ assembly: MessageAssembly, detail: String, canCheckSent: Bool) {
        let plan = configuration.unknownOutcome.plan(canCheckSent: canCheckSent, messageID: assembly.messageID, now: Self.now())
        let next = switch plan.action {
        case .checkSent: "the Sent folder is searched for its Message-ID first"
        case .resend: "it is sent again after \(configuration.unknownOutcome.resendAfter), unless resolved first"
        case .hold: "held for an operator: outbox resolve \(message.id) --sent|--resend"
        }
        record(message, DeliveryRecord(verdict: .unknown(plan), text: "\(detail); \(next)").keepingSentHeader(of: assembly))
    }

    /// A fresh access token after the server refused `rejected`; nil (logged) when none could be had.
    private func refreshedToken(_ tokens: any AccessTokenSource, profile: ResolvedProfile, rejected: String) -> String? {
        do { return try tokens.refreshAfterRejection(owner: profile.owner, rejected: rejected, now: Self.now()) } catch {
            logger.warning("refreshing the access token of owner \(profile.owner) after a 535 failed: \(error)")
            return nil
        }
    }

    /// One SMTP attempt over a pooled session, checked back in (or closed when it may be in
    /// a bad state) before returning. nil when the message was released or held instead.
    private func exchange(
        _ message: ClaimedMessage, _ assembly: MessageAssembly, key: SessionKey, credentials: SMTPCredentials, profile: ResolvedProfile
    ) -> AttemptVerdict? {
        let report: DeliveryReport
        let session: SMTPSession
        do {
            let envelope = try SMTPEnvelope(mailFrom: assembly.mailFrom, recipients: assembly.recipients)
            let base = profile.maxConnections ?? configuration.connectionsPerProfile
            let limit = engine.rateGate?.pace.connectionLimit(owner: message.owner, base: base) ?? base
            // A worker waiting for a connection hands in no outcome: commits do not wait for it.
            guard let checkedOut = try engine.connections.checkout(
                key, credentials: credentials, limit: limit, giveUp: { engine.isStopping },
                waiting: { [engine] isWaiting in engine.committer.setBusy(!isWaiting) })
            else {
                release([message.id], because: "the daemon stopped while it waited for a connection")
                return nil
            }
            session = checkedOut
            // The previous outcome is committed before the server can accept this message.
            report = session.send(assembly.bytes, envelope: envelope, beforeBody: { [self] in settle() })
        } catch {
            hold(message, reason: "configuration: \(error)", code: nil, enhancedCode: nil)
            return nil
        }
        let verdict = AttemptVerdict.judge(report, message: message, retry: configuration.retry, now: Self.now(), random: Double.random(in: 0..<1), profile: profile)
        engine.rateGate?.pace.observe(report, owner: message.owner, now: Self.now())
        // A session that deferred or failed to log in may be in a bad state: closed, not reused.
        var reusable = false
        if case .record(let outcome) = verdict, outcome.eventKind != .deferred { reusable = true }
        if reusable { engine.connections.checkin(key, session) } else { engine.connections.discard(key, consume session) }
        return verdict
    }

    private func sendHTTP(_ message: ClaimedMessage, _ assembly: MessageAssembly, endpoint: HTTPMailEndpoint, profile: ResolvedProfile) {
        let from = profile.fromAddress.flatMap { try? Mailbox(address: $0, displayName: profile.fromName) } ?? assembly.mailFrom
        guard settle() else { return }  // the service may accept as soon as it is posted: the previous outcome must be committed first
        let result = HTTPMailSender.send(assembly.bytes, envelope: HTTPRoute.envelope(message, assembly, from: from), to: endpoint)
        switch AttemptVerdict.judge(result.report, message: message, retry: configuration.retry, now: Self.now(), random: Double.random(in: 0..<1), profile: profile) {
        case .record(let outcome): record(message, outcome.keepingSentHeader(of: assembly))
        case .hold(let reason, let code, let enhanced): hold(message, reason: reason, code: code, enhancedCode: enhanced)
        case .unknown(let detail): parkUnknown(message, assembly, detail: detail, canCheckSent: false)
        }
    }

    private func writeMaildir(_ message: ClaimedMessage, _ assembly: MessageAssembly, directory: String) {
        guard settle() else { return }  // the file is delivered once written: the previous outcome must be committed first
        do {
            let maildir = try maildirs[directory] ?? MaildirTransport(directory: directory)
            maildirs[directory] = maildir
            let name = try maildir.deliver(assembly.bytes, returnPath: assembly.mailFrom.address)
            let recipients = assembly.recipients.map { RecipientOutcome(address: $0.address, state: .sent, code: nil, reply: nil) }
            record(message, DeliveryRecord(verdict: .sent, text: "written to Maildir \(directory)/new/\(name)", recipients: recipients)
                .keepingSentHeader(of: assembly))
        } catch let error as MaildirError where error.code == .unusableDirectory {
            hold(message, reason: "configuration: \(error.reason)", code: nil, enhancedCode: nil)
        } catch {
            let now = Self.now()
            let text = "maildir: \(error)"
            switch configuration.retry.decide(afterAttempt: message.attempts + 1, createdAt: message.createdAt, now: now, random: Double.random(in: 0..<1)) {
            case .retry(let at): record(message, DeliveryRecord(verdict: .deferred(nextAttemptAt: at), text: text))
            case .giveUp: record(message, DeliveryRecord(verdict: .expired, text: "expired; last reason: \(text)"))
            }
        }
    }

    /// Hands the outcome to the group committer; ``settle()`` sees it committed. The rate
    /// reservation ends with the commit, when the `sent` event is there to count.
    /// A `sentCopy` is handed to the ``SentCopier`` once the outcome is seen committed.
    private func record(_ message: ClaimedMessage, _ outcome: DeliveryRecord, sentCopy: SentCopyJob? = nil) {
        var onCommitted: (@Sendable () -> Void)?
        if let held = reservation, let rateGate = engine.rateGate {
            let sent = outcome.mayHaveBeenAccepted
            onCommitted = { rateGate.finish(owner: held.owner, recipients: held.recipients, sent: sent) }
        }
        reservation = nil
        let ticket = engine.committer.submit(PendingRecord(outcome, messageID: message.id), onCommitted: onCommitted)
        outstanding.append(Outstanding(ticket: ticket, message: message, outcome: outcome, sentCopy: sentCopy))
        if outstanding.count >= Self.outstandingLimit { _ = settle() }
    }

    /// Waits until every outcome handed in is committed, then counts and logs them. An
    /// outcome whose transaction failed is handed in again (after 1, 2, 4 … 30 s) until it
    /// is recorded: meanwhile this worker lets no server accept anything. Returns false
    /// only when the engine stops with outcomes still unrecorded (they are given up, logged).
    @discardableResult
    private func settle() -> Bool {
        var pause = 1.0
        while let entry = outstanding.first {
            let message = entry.message, outcome = entry.outcome
            do {
                let recorded = try engine.committer.wait(entry.ticket)
                outstanding.removeFirst()
                guard recorded else {
                    logger.warning("message \(message.id): lease lost before the outcome was recorded (\(outcome.eventKind.rawValue))")
                    continue
                }
                count(message, outcome)
                if let copy = entry.sentCopy { engine.sentCopies?.submit(copy) }
            } catch {
                guard !engine.isStopping else {
                    let rest = outstanding.dropFirst()
                    outstanding.removeAll()
                    giveUp(entry, error)
                    for later in rest {
                        do {
                            guard try engine.committer.wait(later.ticket) else { continue }
                            count(later.message, later.outcome)
                            if let copy = later.sentCopy { engine.sentCopies?.submit(copy) }
                        } catch { giveUp(later, error) }
                    }
                    return false
                }
                logger.error("recording the outcome of message \(message.id) failed: \(error); trying again in \(Int(pause)) s, sending nothing meanwhile")
                Thread.sleep(forTimeInterval: pause)
                pause = min(pause * 2, 30)
                outstanding[0].ticket = engine.committer.submit(entry.ticket.entry, onCommitted: entry.ticket.onCommitted)
            }
        }
        return true
    }

    /// Stopping with an outcome that could not be recorded: the message stays leased to this
    /// engine and is sent again after a restart.
    private func giveUp(_ entry: Outstanding, _ error: any Error) {
        logger.error("message \(entry.message.id): outcome \(entry.outcome.eventKind.rawValue) not recorded (\(error)); it is sent again after a restart")
        entry.ticket.onCommitted?()  // the rate reservation ends here instead
    }

    private func count(_ message: ClaimedMessage, _ outcome: DeliveryRecord) {
        engine.counters.add { summary in
            switch outcome.verdict {
            case .sent: summary.sent += 1
            case .deferred: summary.deferred += 1
            case .failed, .expired: summary.failed += 1
            case .unknown: summary.unknown += 1
            }
        }
        let level: Logger.Level
        switch outcome.verdict {
        case .sent: level = .info
        case .deferred: level = .notice
        case .failed, .expired, .unknown: level = .warning
        }
        logger.log(level: level, "message \(message.id) of \(message.owner): \(outcome.eventKind.rawValue): \(outcome.text)",
                   metadata: OutcomeMetadata.fields(message, event: outcome.eventKind, code: outcome.code, enhancedCode: outcome.enhancedCode))
    }

    /// Outcomes a worker leaves uncommitted at most when none of its sends reaches the point
    /// of acceptance (refusals, connection failures); each acceptance settles them all.
    private static let outstandingLimit = 16

    private func hold(_ message: ClaimedMessage, reason: String, code: Int?, enhancedCode: String?) {
        let now = Self.now()
        do {
            let began = try store.hold(
                owner: message.owner, messageID: message.id, leaseOwner: engine.leaseOwner,
                until: now + RetryPolicy.milliseconds(configuration.holdDuration), reason: reason, code: code,
                enhancedCode: enhancedCode, now: now)
            let metadata = OutcomeMetadata.fields(message, event: .profileHeld, code: code, enhancedCode: enhancedCode)
            if began {
                logger.warning("profile of owner \(message.owner) held: \(reason); message \(message.id) goes back to the queue", metadata: metadata)
            } else {
                logger.info("message \(message.id) of \(message.owner) goes back to the queue: the profile is held (\(reason))", metadata: metadata)
            }
            engine.counters.add { $0.held += 1 }
        } catch {
            logger.error("holding the profile of owner \(message.owner) failed: \(error); message \(message.id) stays leased until its lease expires",
                         metadata: OutcomeMetadata.fields(message, event: .profileHeld, code: code, enhancedCode: enhancedCode))
        }
    }

    static func now() -> Int64 { OutboxDatabase.milliseconds(Date()) }

    /// What this message needs that the engine's store does not keep yet (PostgreSQL:
    /// rate limits, sent copies), as a hold reason; nil when nothing is missing.
    /// Such a message is held, never sent without it.
    static func missingOnThisStore(_ engine: DeliveryEngine, profile: ResolvedProfile, sentCopy: SentCopyTarget?) -> String? {
        let store = "a \(engine.store.isShared ? "PostgreSQL" : "this") outbox"
        if engine.rateGate == nil,
            profile.perMinute != nil || profile.perHour != nil || profile.perDay != nil || profile.recipientsPerDay != nil
        {
            return "rate limits (the profile's perMinute, perHour, perDay, recipientsPerDay) are not enforced on \(store) yet; remove them from the profile or use SQLite"
        }
        if engine.sentCopies == nil, sentCopy != nil {
            return "sent copies (the profile's sent-copy folder) are not kept on \(store) yet; remove the folder from the profile or use SQLite"
        }
        return nil
    }

    /// What an owner's profile layers resolve to, and when they were read: resolved once per
    /// read rather than once per message of a batch.
    private struct OwnerProfile {
        let readAt: Int64
        let resolved: ResolvedProfile
        /// A secret this process cannot open or read (``ProfileLayers/unavailableSecret(owner:system:)``).
        let unavailableSecret: String?
        let sentCopy: SentCopyTarget?

        init(owner: String, _ layers: ProfileLayers, readAt: Int64, _ configuration: DeliveryConfiguration) {
            self.readAt = readAt
            resolved = ProfileResolver.resolve(owner: owner, own: layers.own, global: layers.global, system: configuration.systemRelay)
            unavailableSecret = layers.unavailableSecret(owner: owner, system: configuration.systemRelay)
            sentCopy = SentCopyJob.target(for: resolved, layers: layers, configuration: configuration)
        }
    }

    /// An outcome handed to the committer: what to count and log once it is committed.
    private struct Outstanding {
        var ticket: GroupCommitter.Ticket
        let message: ClaimedMessage
        let outcome: DeliveryRecord
        /// Handed to the copier once the outcome is committed.
        let sentCopy: SentCopyJob?
    }
}
