/// Why a message could not be composed (fails the message: no attempt could succeed).
struct AssemblyFailure: Error, CustomStringConvertible {
    let reason: String
    init(_ reason: String) { self.reason = reason }
    var description: String { reason }
}
