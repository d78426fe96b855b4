import Foundation

/// The systemd service: the unit is installed, `systemd-analyze verify` finds nothing to
/// say about it, and (where systemd runs) it is active, with its restarts and last watchdog ping.
enum ServiceChecks {
    /// Where a package, `deploy/install.sh` or an administrator puts the unit, most specific first.
    static let unitPaths = ["/etc/systemd/system/outbox.service", "/usr/local/lib/systemd/system/outbox.service",
                            "/usr/lib/systemd/system/outbox.service", "/lib/systemd/system/outbox.service"]

    /// `--unit-file`, else the installed unit, else nil.
    static func unit(_ context: DoctorContext) -> String? {
        context.unitFile ?? unitPaths.first { FileManager.default.fileExists(atPath: $0) }
    }

    static func run(_ context: DoctorContext, unit: String?) -> [DoctorFinding] {
        guard let unit else {
            return [.warning("service unit", "no outbox.service is installed (looked in \(unitPaths.map { ($0 as NSString).deletingLastPathComponent }.joined(separator: ", ")))",
                             fix: "install the Debian package (apt install ./outbox_VERSION_amd64.deb) or run deploy/install.sh")]
        }
        guard FileManager.default.isReadableFile(atPath: unit) else {
            return [.problem("service unit", "\(unit) cannot be read", fix: "check the file (ls -l \(unit))")]
        }
        var findings = [DoctorFinding.ok("service unit", "installed at \(unit)")]
        findings.append(verify(unit))
        findings.append(running())
        return findings
    }

    private static func verify(_ unit: String) -> DoctorFinding {
        guard let analyze = Subprocess.find("systemd-analyze") else {
            return .ok("unit verify", "not checked: systemd-analyze is not installed")
        }
        guard let result = Subprocess.run(analyze, ["verify", unit], timeout: .seconds(30)) else {
            return .warning("unit verify", "systemd-analyze verify did not finish within 30 s", fix: "run systemd-analyze verify \(unit) by hand")
        }
        let said = result.output.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        guard result.status != 0 || !said.isEmpty else { return .ok("unit verify", "systemd-analyze verify \(unit): clean") }
        return .problem("unit verify", "systemd-analyze verify \(unit) says: " + said.prefix(3).joined(separator: " / "),
                        fix: "correct the unit (or its drop-ins: systemctl edit outbox) as systemd-analyze says, then systemctl daemon-reload")
    }

    private static func running() -> DoctorFinding {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: "/run/systemd/system", isDirectory: &isDirectory), isDirectory.boolValue,
            let systemctl = Subprocess.find("systemctl")
        else { return .ok("service", "not checked: systemd is not running on this machine") }
        let properties = ["ActiveState", "SubState", "NRestarts", "ActiveEnterTimestamp", "WatchdogTimestamp", "Result"]
        guard let result = Subprocess.run(systemctl, ["show", "outbox.service"] + properties.flatMap { ["-p", $0] }, timeout: .seconds(15)),
            result.status == 0
        else { return .warning("service", "systemctl show outbox.service did not answer", fix: "run systemctl status outbox") }
        var value: [String: String] = [:]
        for line in result.output.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { value[String(parts[0])] = String(parts[1]) }
        }
        let state = "\(value["ActiveState"] ?? "?") (\(value["SubState"] ?? "?"))"
        guard value["ActiveState"] == "active" || value["ActiveState"] == "reloading" else {
            return .problem("service", "outbox.service is \(state), result \(value["Result"] ?? "?")",
                            fix: "systemctl enable --now outbox; if it fails, journalctl -u outbox -n 50 says why")
        }
        var detail = "outbox.service is \(state) since \(value["ActiveEnterTimestamp"] ?? "?")"
        if let restarts = value["NRestarts"], restarts != "0" { detail += ", restarted \(restarts) time(s)" }
        if let ping = value["WatchdogTimestamp"], !ping.isEmpty { detail += ", last watchdog ping \(ping)" }
        return .ok("service", detail)
    }
}

/// A helper program run with a time limit, its stdout and stderr together.
enum Subprocess {
    struct Result: Sendable {
        let status: Int32
        let output: String
    }

    /// The program's path on `PATH` (and the sbin directories), or nil.
    static func find(_ name: String) -> String? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/sbin:/usr/bin:/sbin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Nil when it could not start or did not end within `timeout` (then it is killed).
    static func run(_ program: String, _ arguments: [String], timeout: Duration) -> Result? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let reader = pipe.fileHandleForReading
        let read: @Sendable () -> Data = { reader.readDataToEndOfFile() }
        let output = BoundedWork.run([read], within: timeout)[0]
        guard let output else {
            process.terminate()
            return nil
        }
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self))
    }
}
