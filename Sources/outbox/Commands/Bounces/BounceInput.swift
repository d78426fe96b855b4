import Foundation

/// Reads one message from a file or stdin (`-`), refusing more than `limit` bytes.
enum BounceInput {
    /// 64 MiB: above any MTA's default message size limit.
    static let limit = 64 << 20

    enum Failure: Error {
        case unreadable(String)
        case tooLarge
    }

    static func read(_ path: String) throws(Failure) -> [UInt8] {
        let handle: FileHandle
        if path == "-" {
            handle = .standardInput
        } else {
            guard let opened = FileHandle(forReadingAtPath: path) else {
                throw .unreadable("cannot read \(path): \(String(cString: strerror(errno)))")
            }
            handle = opened
        }
        var bytes: [UInt8] = []
        while true {
            let chunk: Data?
            do { chunk = try handle.read(upToCount: 1 << 20) } catch { throw .unreadable("cannot read \(path): \(error.localizedDescription)") }
            guard let chunk, !chunk.isEmpty else { break }
            bytes.append(contentsOf: chunk)
            if bytes.count > limit { throw .tooLarge }
        }
        return bytes
    }
}
