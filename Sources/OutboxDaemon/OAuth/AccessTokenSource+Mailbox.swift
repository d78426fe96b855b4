import Foundation
import OutboxStore
public import OutboxTransport

extension AccessTokenSource {
    /// XOAUTH2 for a mailbox (bounce mailbox, own inbox, Sent folder) with `owner`'s OAuth
    /// tokens: the same tokens, refreshed the same way, as the owner's `m365-oauth` sending.
    public func mailboxOAuth(owner: String) -> MailboxOAuth {
        MailboxOAuth(
            owner: owner,
            current: { OAuthToken(try accessToken(owner: owner, now: OutboxDatabase.milliseconds(Date()))) },
            refreshed: { rejected in
                OAuthToken(try refreshAfterRejection(owner: owner, rejected: rejected.value, now: OutboxDatabase.milliseconds(Date())))
            })
    }
}
