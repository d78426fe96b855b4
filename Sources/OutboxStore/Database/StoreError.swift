/// A store operation that could not be done, with a code callers can match and text
/// that says what failed, where, and what to try.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case directoryNotWritable, cannotCreateDatabase, cannotOpenDatabase, busy, notFound, invalidState
    }

    public let code: Code
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { reason }
}
