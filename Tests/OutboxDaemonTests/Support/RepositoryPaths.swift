import Foundation

/// Files of the repository and the build, found from this source file's location.
enum RepositoryPaths {
    /// The repository root (three levels above `Tests/OutboxDaemonTests/Support/`).
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    static func deploy(_ name: String) -> String { root + "/deploy/" + name }

    /// The `outbox` executable built next to this test binary (any scratch path), else `.build/debug/outbox`.
    static var builtOutbox: String? {
        let testBinary = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        let candidates = [URL(fileURLWithPath: testBinary).deletingLastPathComponent().path + "/outbox", root + "/.build/debug/outbox"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
