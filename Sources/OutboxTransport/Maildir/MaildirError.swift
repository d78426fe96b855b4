/// Why a message could not be written into a Maildir.
public struct MaildirError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Stable codes callers and tests can match.
    public enum Code: String, Hashable, Sendable {
        /// The directory (or its tmp/new/cur) cannot be created or is not a directory.
        case unusableDirectory = "unusable-directory"
        /// Writing, syncing or renaming the file failed (disk full, I/O error); worth retrying.
        case writeFailed = "write-failed"
    }

    public let code: Code
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { reason }
}
