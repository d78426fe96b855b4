#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which files a batch may attach by `path`: only those inside the allowed roots.
///
/// A batch names files, but the enqueuing process reads them, so without a policy a batch
/// could mail anything that process can read (`../../etc/shadow`, a symlink to it). Paths
/// are resolved to their real path (symlinks followed, `..` removed) and must then lie
/// inside the real path of a root; a root may be a directory or a single file. The CLI's
/// default root is the batch file's directory; input from stdin (and an HTTP request)
/// has none unless the operator configures some.
public struct AttachmentPolicy: Sendable, Hashable {
    /// The roots as given.
    public let roots: [String]
    /// The real paths of the roots that exist.
    public let realRoots: [String]
    /// The directory a relative path is read from; nil: the current directory.
    public let baseDirectory: String?
    /// What the user can do to allow more, appended to a refusal.
    public let hint: String

    /// - Parameters:
    ///   - roots: directories (or files) attachments may come from; roots that do not exist are ignored.
    ///   - baseDirectory: where relative paths are read from (the batch file's directory).
    ///   - hint: how to widen the policy, said when a path is refused.
    public init(roots: [String], baseDirectory: String?, hint: String = Self.commandLineHint) {
        self.roots = roots
        self.realRoots = roots.compactMap(Self.realPath)
        self.baseDirectory = baseDirectory
        self.hint = hint
    }

    /// How the command line widens the policy.
    public static let commandLineHint = "allow a directory with --attachments-from DIR or [enqueue] attachment-roots in outbox.conf"

    /// The real path of `path` (relative ones against ``baseDirectory``) when it lies
    /// inside a root, else an ``IntakeError`` that names the path and why.
    public func resolve(_ path: String, location: String, field: String) throws(IntakeError) -> String {
        let joined = path.hasPrefix("/") ? path : (baseDirectory ?? Self.currentDirectory()) + "/" + path
        guard let real = Self.realPath(joined) else {
            let error = errno
            // A missing file outside the roots is refused as outside, so the refusal does
            // not tell whether it exists.
            guard allows(Self.normalized(joined)) else { throw outside(path, location: location, field: field) }
            if error == ENOENT || error == ENOTDIR {
                throw IntakeError(.attachmentMissing, location: location, field: field, "attachment file \(joined) does not exist")
            }
            throw IntakeError(.attachmentUnreadable, location: location, field: field,
                              "cannot read attachment file \(joined): \(String(cString: strerror(error)))")
        }
        guard allows(real) else { throw outside(path, location: location, field: field) }
        return real
    }

    /// Whether a real (absolute, resolved) path lies inside one of the roots.
    public func allows(_ realPath: String) -> Bool {
        realRoots.contains { root in
            root == "/" || realPath == root || realPath.hasPrefix(root + "/")
        }
    }

    private func outside(_ path: String, location: String, field: String) -> IntakeError {
        let allowed = realRoots.isEmpty ? "no attachment directory is allowed for this input" : "allowed: \(realRoots.joined(separator: ", "))"
        return IntakeError(.attachmentOutsideRoots, location: location, field: field,
                           "attachment path \(path) is outside the directories attachments may come from (\(allowed)); \(hint)")
    }

    /// `realpath(3)`: absolute, symlinks resolved; nil (with `errno` set) when it fails.
    public static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func currentDirectory() -> String {
        guard let directory = getcwd(nil, 0) else { return "." }
        defer { free(directory) }
        return String(cString: directory)
    }

    /// `/a/./b/../c` → `/a/c`, without touching the file system.
    private static func normalized(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") where part != "." {
            if part == ".." { _ = parts.popLast() } else { parts.append(part) }
        }
        return "/" + parts.joined(separator: "/")
    }
}
