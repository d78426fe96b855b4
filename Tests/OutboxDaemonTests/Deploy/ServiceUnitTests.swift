import Foundation
import Testing

/// `deploy/outbox.service` checked by systemd's own tools (no running systemd needed).
@Suite(.enabled(if: Shell.exists("/usr/bin/systemd-analyze"), "systemd-analyze is not installed (apt-get install systemd)"))
struct ServiceUnitTests {
    /// The unit with `ExecStart=` pointed at the built binary: `verify` insists the executable exists.
    private func unitCopy(in directory: TemporaryDirectory) throws -> String {
        let binary = try #require(RepositoryPaths.builtOutbox, "build the outbox product first (swift build --build-tests builds it)")
        let unit = try String(contentsOfFile: RepositoryPaths.deploy("outbox.service"), encoding: .utf8)
        #expect(unit.contains("ExecStart=/usr/local/bin/outbox serve --config /etc/outbox/outbox.conf"))
        return try directory.write("outbox.service", unit.replacingOccurrences(of: "ExecStart=/usr/local/bin/outbox ", with: "ExecStart=\(binary) "))
    }

    @Test func verifyPasses() throws {
        let directory = try TemporaryDirectory()
        let result = try Shell.run("/usr/bin/systemd-analyze", ["verify", try unitCopy(in: directory)])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.isEmpty, "systemd-analyze verify printed warnings:\n\(result.output)")
    }

    @Test func securityExposureIsAtMostTwo() throws {
        let result = try Shell.run("/usr/bin/systemd-analyze", ["security", "--offline=yes", "--no-pager", RepositoryPaths.deploy("outbox.service")])
        let line = try #require(result.output.split(separator: "\n").first { $0.contains("Overall exposure level") }, "\(result.output)")
        let figure = try #require(line.split(separator: ":").last?.split(separator: " ").first.flatMap { Double($0) }, "\(line)")
        #expect(figure <= 2.0, "\(line)")
    }

    @Test func unitHasTheRequiredSettings() throws {
        let unit = try String(contentsOfFile: RepositoryPaths.deploy("outbox.service"), encoding: .utf8)
        let lines = Set(unit.split(separator: "\n").map(String.init))
        for required in [
            "Type=notify", "ExecReload=/bin/kill -HUP $MAINPID", "User=outbox", "Group=outbox", "StateDirectory=outbox",
            "StateDirectoryMode=0750", "ConfigurationDirectory=outbox", "WatchdogSec=30s", "Restart=on-failure",
            "LoadCredential=relay-password", "LoadCredential=bounce-password", "UMask=0007", "ProtectSystem=strict", "ProtectHome=yes",
            "PrivateTmp=yes", "NoNewPrivileges=yes", "CapabilityBoundingSet=", "SystemCallFilter=@system-service",
            "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6", "MemoryDenyWriteExecute=yes",
        ] {
            #expect(lines.contains(required), "missing \(required)")
        }
    }
}
