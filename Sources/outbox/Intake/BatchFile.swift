import Foundation
import OutboxCore

/// Opens an input file named on the command line (a batch, a template, a CSV).
enum BatchFile {
    /// A descriptor for reading `path`. A regular file, a pipe (`<(command)`) or a terminal
    /// is read; a directory, socket or block device is refused with an ``IntakeError``.
    static func open(_ path: String, source: String) throws(IntakeError) -> Int32 {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let error = errno
            let code: IntakeError.Code = error == ENOENT ? .attachmentMissing : .unreadableInput
            throw IntakeError(code, location: source, field: nil, "cannot open \(path): \(String(cString: strerror(error)))")
        }
        var info = stat()
        let kind = fstat(descriptor, &info) == 0 ? info.st_mode & S_IFMT : 0
        guard [S_IFREG, S_IFIFO, S_IFCHR].contains(kind) else {
            close(descriptor)
            let what = kind == S_IFDIR ? "a directory" : kind == S_IFSOCK ? "a socket" : kind == S_IFBLK ? "a block device" : "not a file"
            throw IntakeError(.unreadableInput, location: source, field: nil, "\(path) is \(what); give a batch file (or - for standard input)")
        }
        return descriptor
    }
}
