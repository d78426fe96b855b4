import Foundation
import Logging
import Synchronization
import OutboxCore
public import OutboxStore
public import OutboxTransport

/// Reads the bounce mailbox every `interval` on a thread of its own. In `bounce-mailbox`
/// mode each message is recorded (``OutboxStore/BounceStore/ingestBounce(raw:source:now:policy:parser:)``)
/// and only then deleted; in `own-mailbox` mode only bounces, complaints and auto-replies
/// about mail Outbox sent are recorded and moved to the configured folder, and everything
/// else is left untouched and unread. Anything not recorded stays for the next poll.
///
/// On a store several nodes share (PostgreSQL), a node polls only while it holds the
/// mailbox (``OutboxStore/MailboxClaim``): one node at a time, until it stops or dies; the
/// others look again at each poll interval and the first to find it free takes over.
public final class BounceMailboxPoller: Sendable {
    private let store: any BounceStore
    private let claim: any MailboxClaim
    /// Whether this node held the mailbox at the last poll (changes are logged once).
    private let holding = Mutex<Bool?>(nil)
    private let endpoint: MailboxEndpoint
    private let settings: BounceSettings
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let stopping = Mutex(false)
    private let logger = Logger(label: "outbox.bounces")

    /// - Parameter tokens: where `mailbox-auth = oauth:OWNER` gets access tokens (the
    ///   delivery engine's source, so both refresh through one provider); nil: the tokens
    ///   stored in the SQLite outbox `database`.
    public init(database store: any BounceStore, endpoint: MailboxEndpoint, settings: BounceSettings, tokens: (any AccessTokenSource)? = nil) {
        self.store = store
        self.endpoint = Self.authorised(endpoint, auth: settings.mailboxAuth, database: store, tokens: tokens)
        self.settings = settings
        claim = store.mailboxClaim(endpoint.displayURL)
    }

    /// `endpoint` logging in as `auth` says: with `oauth:OWNER`, XOAUTH2 with the owner's
    /// stored tokens (from `tokens`, else the SQLite outbox `database`), refreshed when due or refused once.
    public static func authorised(_ endpoint: MailboxEndpoint, auth: BounceMailboxAuth, database store: any BounceStore,
                                  tokens: (any AccessTokenSource)? = nil) -> MailboxEndpoint {
        guard let owner = auth.oauthOwner,
              let source = tokens ?? (store as? OutboxDatabase).map({ StoredOAuthTokens(database: $0) }) else { return endpoint }
        var endpoint = endpoint
        endpoint.oauth = source.mailboxOAuth(owner: owner)
        return endpoint
    }

    /// Starts polling (the first poll right away).
    public func start() {
        Thread { [self] in
            while !isStopping {
                pollOnce()
                _ = wake.wait(timeout: .now() + .milliseconds(Int(settings.pollInterval.components.seconds) * 1000))
            }
            finished.signal()
        }.start()
    }

    /// Stops after the poll in progress, if any, waits for it and lets another node take the mailbox.
    public func stop() {
        stopping.withLock { $0 = true }
        wake.signal()
        finished.wait()
        claim.release()
    }

    private var isStopping: Bool { stopping.withLock { $0 } }

    private func pollOnce() {
        let mine = claim.hold()
        if holding.withLock({ previous in defer { previous = mine }; return previous != mine }) {
            if mine {
                logger.notice("bounce mailbox \(endpoint.displayURL): this node polls it")
            } else {
                logger.notice("bounce mailbox \(endpoint.displayURL): another node polls it; this node looks again every \(settings.pollInterval)")
            }
        }
        guard mine else { return }
        do {
            let result = try Self.poll(endpoint, database: store, settings: settings)
            if result.recorded > 0 { logger.info("bounce mailbox: \(result.recorded) message(s) recorded") }
            if let reason = result.stoppedBecause { logger.warning("bounce mailbox poll stopped early: \(reason); the rest stay in the mailbox") }
        } catch {
            // A refused login or a revoked sign-in is said each poll; the next poll tries again.
            logger.warning("bounce mailbox \(endpoint.displayURL): \(error.reason)", metadata: ["code": "\(error.code.rawValue)"])
        }
    }

    /// One poll in the mode `settings` names: shared by the daemon and `outbox bounces poll`.
    /// `moveTo` moves recorded messages there (bounce-mailbox mode: instead of deleting
    /// them; own-mailbox mode: instead of `settings.mailboxFolder`); `suppress` false
    /// records without suppressing anyone.
    /// `handled` is called after each message the poll records (progress on a terminal).
    public static func poll(_ endpoint: MailboxEndpoint, database store: any BounceStore, settings: BounceSettings, suppress: Bool = true,
                            moveTo: String? = nil, limit: Int = 1000, handled: () -> Void = {}) throws(OutboxTransport.MailboxError) -> MailboxDrain.Result {
        let policy = suppress ? settings.policy : nil
        func source(_ id: String) -> String { "\(endpoint.displayURL) \(endpoint.kind == .imap ? "uid" : "message") \(id)" }
        switch settings.mailboxMode {
        case .bounceMailbox:
            return try MailboxDrain.run(endpoint, moveTo: moveTo, limit: limit) { id, bytes in
                _ = try store.ingestBounce(raw: bytes, source: source(id), now: OutboxDatabase.milliseconds(Date()), policy: policy,
                                           parser: BounceParser())
                handled()
            }
        case .ownMailbox:
            return try MailboxDrain.runOwnMailbox(endpoint, folder: moveTo ?? settings.mailboxFolder, limit: limit) { id, bytes in
                let recorded = try store.ingestOwnMailboxMessage(raw: bytes, source: source(id), now: OutboxDatabase.milliseconds(Date()),
                                                                 policy: policy, parser: BounceParser()) != nil
                handled()
                return recorded
            }
        }
    }
}
