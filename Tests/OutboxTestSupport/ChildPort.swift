import Foundation

/// Reads the port a test server prints as its first line once it listens.
public enum ChildPort {
    /// The port from the first line of `handle`, or nil on end of file, a non-number or `timeout` seconds.
    public static func read(from handle: FileHandle, timeout: Double) -> Int? {
        let deadline = Date().addingTimeInterval(timeout)
        var line = Data()
        while Date() < deadline {
            var poller = pollfd(fd: handle.fileDescriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 200) >= 0 else { return nil }
            guard poller.revents != 0 else { continue }
            let chunk = handle.availableData
            if chunk.isEmpty { return nil }
            line.append(chunk)
            if let newline = line.firstIndex(of: UInt8(ascii: "\n")) {
                return Int(String(decoding: line[..<newline], as: UTF8.self))
            }
        }
        return nil
    }
}
