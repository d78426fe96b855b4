import OutboxPostgres
import OutboxStore

extension DatabaseOptions {
    /// Sender problems (bounces that refused an owner's sender), of one owner or all, most
    /// recent first, from whichever store the setting names: for `status` and `profile show`.
    func senderProblems(owner: String?) throws -> [SenderProblemRecord] {
        guard isPostgres else { return try Failure.guarding { try open(.readOnly).senderProblems(owner: owner) } }
        return try readPostgresStore { try await $0.senderProblems(owner: owner) }
    }
}
