import Synchronization

/// Connection slots counted in this process's memory: the cap of one node on its own
/// (SQLite), as fast as a dictionary look-up. Slots need no lease: they die with the process.
public final class LocalConnectionSlots: ConnectionSlotLedger {
    private struct State {
        var open: [ConnectionAccount: Int] = [:]
        var nextID: Int64 = 1
    }

    private let state = Mutex(State())

    public init() {}

    public var isShared: Bool { false }
    public var slotLease: Int64 { .max }

    public func acquireConnection(_ account: ConnectionAccount, cap: Int, holder: String) -> ConnectionSlot? {
        state.withLock { state in
            guard state.open[account, default: 0] < max(1, cap) else { return nil }
            state.open[account, default: 0] += 1
            defer { state.nextID += 1 }
            return ConnectionSlot(account: account, id: state.nextID)
        }
    }

    public func releaseConnections(_ slots: [ConnectionSlot]) {
        state.withLock { state in
            for slot in slots {
                let left = state.open[slot.account, default: 1] - 1
                state.open[slot.account] = left > 0 ? left : nil
            }
        }
    }

    public func renewConnections(_ slots: [ConnectionSlot]) -> Set<Int64> { Set(slots.map(\.id)) }

    /// Slots taken for `account` now.
    public func taken(_ account: ConnectionAccount) -> Int { state.withLock { $0.open[account] ?? 0 } }
}
