import Foundation
#if canImport(Glibc)
import Glibc
#endif
import OutboxCore

/// Reads attachment files at enqueue: each must lie inside the ``AttachmentPolicy``'s
/// roots and be an existing, readable regular file within the size limit. Errors name
/// the message and field.
package struct AttachmentFileReader: Sendable {
    let policy: AttachmentPolicy
    let maxBytes: Int

    package init(policy: AttachmentPolicy, maxBytes: Int) {
        self.policy = policy
        self.maxBytes = maxBytes
    }

    /// The file's bytes, or an ``IntakeError`` saying why they cannot be used.
    ///
    /// Opened non-blocking, so a FIFO or a device cannot hang the enqueue, and without
    /// following a final symlink; then checked to be a regular file, and its path as the
    /// kernel sees it checked against the roots again, so a symlink swapped in between
    /// the check and the open is still refused.
    func read(_ path: String, location: String, field: String) throws(IntakeError) -> [UInt8] {
        let realPath = try policy.resolve(path, location: location, field: field)
        func fail(_ code: IntakeError.Code, _ reason: String) -> IntakeError {
            IntakeError(code, location: location, field: field, reason)
        }
        let descriptor = open(realPath, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let error = errno
            if error == ENOENT { throw fail(.attachmentMissing, "attachment file \(realPath) does not exist") }
            if error == ELOOP { throw fail(.attachmentOutsideRoots, "attachment \(realPath) was replaced by a symlink while reading") }
            throw fail(.attachmentUnreadable, "cannot read attachment file \(realPath): \(String(cString: strerror(error)))")
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw fail(.attachmentNotRegularFile, "attachment \(realPath) is \(Self.kind(info.st_mode)), not a regular file")
        }
        if let opened = Self.openedPath(descriptor), !policy.allows(opened) {
            throw fail(.attachmentOutsideRoots, "attachment \(realPath) moved outside the allowed directories while reading")
        }
        let size = Int(info.st_size)
        guard size <= maxBytes else {
            throw fail(.tooLarge, "attachment \(realPath) is \(size) bytes, over the limit of \(maxBytes)")
        }
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let count = bytes.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress! + done, size - done) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                throw fail(.attachmentUnreadable, "cannot read attachment file \(realPath): \(count < 0 ? String(cString: strerror(errno)) : "file shrank while reading")")
            }
            done += count
        }
        return bytes
    }

    /// The path the kernel has for an open descriptor (Linux `/proc/self/fd`), if known.
    private static func openedPath(_ descriptor: Int32) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/fd/\(descriptor)", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `a directory`, `a FIFO`, … for a file mode.
    static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: "a directory"
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        case S_IFLNK: "a symbolic link"
        default: "not a regular file"
        }
    }
}
