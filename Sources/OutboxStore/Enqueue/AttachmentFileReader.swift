import Foundation
#if canImport(Glibc)
import Glibc
#endif
import OutboxCore

/// Reads attachment files at enqueue: each must be an existing, readable regular file
/// within the size limit. Errors name the message and field.
struct AttachmentFileReader: Sendable {
    /// Directory relative paths are resolved against (the batch file's directory).
    let baseDirectory: String?
    let maxBytes: Int

    func resolve(_ path: String) -> String {
        guard !path.hasPrefix("/"), let baseDirectory else { return path }
        return baseDirectory + "/" + path
    }

    /// The file's bytes, or an ``IntakeError`` saying why they cannot be used.
    func read(_ path: String, location: String, field: String) throws(IntakeError) -> [UInt8] {
        let fullPath = resolve(path)
        func fail(_ code: IntakeError.Code, _ reason: String) -> IntakeError {
            IntakeError(code, location: location, field: field, reason)
        }
        let descriptor = open(fullPath, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let error = errno
            if error == ENOENT { throw fail(.attachmentMissing, "attachment file \(fullPath) does not exist") }
            throw fail(.attachmentUnreadable, "cannot read attachment file \(fullPath): \(String(cString: strerror(error)))")
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw fail(.attachmentNotRegularFile, "attachment \(fullPath) is not a regular file")
        }
        let size = Int(info.st_size)
        guard size <= maxBytes else {
            throw fail(.tooLarge, "attachment \(fullPath) is \(size) bytes, over the limit of \(maxBytes)")
        }
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let count = bytes.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress! + done, size - done) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                throw fail(.attachmentUnreadable, "cannot read attachment file \(fullPath): \(count < 0 ? String(cString: strerror(errno)) : "file shrank while reading")")
            }
            done += count
        }
        return bytes
    }
}
