import Foundation

/// Postfix's `smtp-sink` on a free loopback port, accepting every message and dumping each
/// to a file of its own, so a test can count what arrived per recipient. ``stop()`` ends it
/// and removes its directory.
public final class SMTPSink {
    public let port: Int
    public let directory: String
    private let process = Process()

    /// Starts `smtp-sink` with a backlog of `backlog` connections.
    public init(backlog: Int = 256) throws {
        directory = NSTemporaryDirectory() + "outbox-sink-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory + "/mail", withIntermediateDirectories: true)
        // smtp-sink drops privileges to `nobody` (it refuses to run as root) and writes there.
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: directory + "/mail")
        port = try Self.freePort()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/smtp-sink")
        var arguments = ["-4", "-d", directory + "/mail/%M.", "127.0.0.1:\(port)", String(backlog)]
        if getuid() == 0 { arguments.insert(contentsOf: ["-u", "nobody"], at: 0) }
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        guard Self.waitUntilListening(port) else {
            stop()
            throw TestServerError(message: "smtp-sink did not listen on 127.0.0.1:\(port) (is postfix installed?)")
        }
    }

    /// The envelope recipients of every message received, one entry per message (a
    /// message sent twice is in it twice).
    public func recipients() throws -> [String] {
        let folder = directory + "/mail"
        return try FileManager.default.contentsOfDirectory(atPath: folder).compactMap { name in
            guard let handle = FileHandle(forReadingAtPath: folder + "/" + name) else { return nil }
            defer { try? handle.close() }
            let head = String(decoding: handle.readData(ofLength: 512), as: UTF8.self)
            guard let line = head.split(separator: "\n").first(where: { $0.hasPrefix("X-Rcpt-Args: <") }) else { return nil }
            return String(line.dropFirst("X-Rcpt-Args: <".count).prefix { $0 != ">" })
        }
    }

    /// SIGKILL: smtp-sink ignores SIGTERM.
    public func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

    private static func waitUntilListening(_ port: Int) -> Bool {
        for _ in 0..<100 {
            let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = loopback(port)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            close(socketFD)
            if connected { return true }
            usleep(50_000)
        }
        return false
    }

    private static func loopback(_ port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return address
    }

    private static func freePort() throws -> Int {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socketFD) }
        var address = loopback(0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, length) == 0 && getsockname(socketFD, $0, &length) == 0 }
        }
        guard bound else { throw TestServerError(message: "cannot bind a loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
