/// Why a message could not be composed: fails the message (no attempt could succeed), or,
/// with `holdsProfile`, holds the owner's profile until the operator fixes it (a missing
/// DKIM key) and the message waits.
struct AssemblyFailure: Error, CustomStringConvertible {
    let reason: String
    let holdsProfile: Bool
    init(_ reason: String, holdsProfile: Bool = false) {
        self.reason = reason
        self.holdsProfile = holdsProfile
    }
    var description: String { reason }
}
