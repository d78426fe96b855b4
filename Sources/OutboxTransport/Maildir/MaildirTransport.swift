import Foundation
import Glibc
import Synchronization

/// Delivers messages into a Maildir (`tmp/`, `new/`, `cur/`): each message is written to
/// `tmp/` under a unique name, synced, then renamed into `new/`, so a reader never sees a
/// partial file. Safe to use from several threads.
public final class MaildirTransport: Sendable {
    /// The Maildir's root directory.
    public let directory: String
    private static let counter = Atomic<Int>(0)

    /// Creates `directory` and its `tmp`, `new` and `cur` subdirectories (mode 0700) when missing.
    public init(directory: String) throws(MaildirError) {
        self.directory = directory
        for path in [directory, directory + "/tmp", directory + "/new", directory + "/cur"] {
            if mkdir(path, 0o700) != 0, errno != EEXIST {
                throw MaildirError(.unusableDirectory, "cannot create Maildir directory \(path): \(String(cString: strerror(errno)))")
            }
            var info = stat()
            guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
                throw MaildirError(.unusableDirectory, "Maildir path \(path) is not a directory")
            }
        }
    }

    /// Writes one message (with `Return-Path` set to `returnPath` when given) and returns
    /// its file name in `new/`.
    @discardableResult
    public func deliver(_ message: [UInt8], returnPath: String? = nil) throws(MaildirError) -> String {
        let name = Self.uniqueName()
        let temporary = directory + "/tmp/" + name, final = directory + "/new/" + name
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("cannot create \(temporary)") }
        var ok = true
        if let returnPath { ok = write(fd, Array("Return-Path: <\(returnPath)>\r\n".utf8)) }
        ok = ok && write(fd, message) && fsync(fd) == 0
        let saved = errno
        close(fd)
        guard ok else {
            unlink(temporary)
            errno = saved
            throw failure("cannot write \(temporary)")
        }
        guard rename(temporary, final) == 0 else {
            let error = failure("cannot move \(temporary) into new/")
            unlink(temporary)
            throw error
        }
        let directoryFD = open(directory + "/new", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 { fsync(directoryFD); close(directoryFD) }
        return name
    }

    private func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 { if errno == EINTR { continue }; return false }
                offset += written
            }
            return true
        }
    }

    private func failure(_ what: String) -> MaildirError {
        MaildirError(.writeFailed, "\(what): \(String(cString: strerror(errno)))")
    }

    /// `seconds.MmicrosecondsPpidQcounter.host`, unique per host, process and call.
    private static func uniqueName() -> String {
        var now = timeval()
        gettimeofday(&now, nil)
        let n = counter.wrappingAdd(1, ordering: .relaxed).newValue
        var host = [UInt8](repeating: 0, count: 256)
        gethostname(&host, 255)
        let hostName = String(decoding: host.prefix { $0 != 0 }, as: UTF8.self).replacingOccurrences(of: "/", with: "\\057").replacingOccurrences(of: ":", with: "\\072")
        return "\(now.tv_sec).M\(now.tv_usec)P\(getpid())Q\(n).\(hostName)"
    }
}
