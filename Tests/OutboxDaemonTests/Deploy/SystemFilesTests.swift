import Foundation
import Testing
@testable import OutboxDaemon

/// sysusers.d, tmpfiles.d, the example configuration and install.sh, each run for real into a temporary root.
@Suite struct SystemFilesTests {
    @Test(.enabled(if: Shell.exists("/usr/bin/systemd-sysusers") && Shell.exists("/usr/bin/systemd-tmpfiles") && geteuid() == 0,
                   "needs systemd-sysusers, systemd-tmpfiles and root (to chown in the temporary root)"))
    func sysusersAndTmpfilesCreateUserAndDirectories() throws {
        let root = try TemporaryDirectory()
        for (file, directory) in [("outbox.sysusers", "usr/lib/sysusers.d"), ("outbox.tmpfiles", "usr/lib/tmpfiles.d")] {
            try FileManager.default.createDirectory(atPath: "\(root.path)/\(directory)", withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: RepositoryPaths.deploy(file), toPath: "\(root.path)/\(directory)/outbox.conf")
        }
        try FileManager.default.createDirectory(atPath: root.path + "/etc", withIntermediateDirectories: true)
        let sysusers = try Shell.run("/usr/bin/systemd-sysusers", ["--root=\(root.path)"])
        #expect(sysusers.status == 0, "\(sysusers.output)")
        let passwd = try String(contentsOfFile: root.path + "/etc/passwd", encoding: .utf8)
        let user = try #require(passwd.split(separator: "\n").first { $0.hasPrefix("outbox:") }).split(separator: ":", omittingEmptySubsequences: false)
        #expect(Int(user[2])! < 1000, "a system user")
        #expect(user[5] == "/var/lib/outbox")
        let tmpfiles = try Shell.run("/usr/bin/systemd-tmpfiles", ["--root=\(root.path)", "--create"])
        #expect(tmpfiles.status == 0, "\(tmpfiles.output)")
        func mode(_ path: String) throws -> (Int, Int, Int) {
            let attributes = try FileManager.default.attributesOfItem(atPath: root.path + path)
            return ((attributes[.posixPermissions] as? Int) ?? -1, (attributes[.ownerAccountID] as? Int) ?? -1, (attributes[.groupOwnerAccountID] as? Int) ?? -1)
        }
        #expect(try mode("/var/lib/outbox") == (0o750, Int(user[2])!, Int(user[3])!))
        #expect(try mode("/etc/credstore") == (0o700, 0, 0))
    }

    @Test func exampleConfigurationLoadsToTheDefaultsAndDocumentsEveryKey() throws {
        let path = RepositoryPaths.deploy("outbox.conf.example")
        var loaded = try OutboxConfiguration.load(path: path, environment: [:])
        loaded.sourceFile = nil
        let defaults = OutboxConfiguration(databasePath: "/var/lib/outbox/outbox.db")
        #expect(loaded == defaults)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for section in ConfigurationSchema.sections {
            #expect(text.contains("[\(section.name)]"))
            for key in section.keys {
                #expect(text.contains("\n\(key) = ") || text.contains("\n# \(key) = "), "\(key) of [\(section.name)] is not documented")
            }
        }
    }

    @Test func installStagesEverythingUnderDestdirWithoutStartingAnything() throws {
        let binary = try #require(RepositoryPaths.builtOutbox)
        let stage = try TemporaryDirectory()
        let result = try Shell.run("/bin/bash", [RepositoryPaths.deploy("install.sh"), "--prefix", "/usr", "--destdir", stage.path, "--binary", binary])
        #expect(result.status == 0, "\(result.output)")
        for file in ["/usr/bin/outbox", "/usr/lib/systemd/system/outbox.service", "/usr/lib/sysusers.d/outbox.conf",
                     "/usr/lib/tmpfiles.d/outbox.conf", "/etc/outbox/outbox.conf"] {
            #expect(FileManager.default.fileExists(atPath: stage.path + file), "\(file) not installed")
            #expect(result.output.contains("installed \(file)"))
        }
        let unit = try String(contentsOfFile: stage.path + "/usr/lib/systemd/system/outbox.service", encoding: .utf8)
        #expect(unit.contains("ExecStart=/usr/bin/outbox serve --config /etc/outbox/outbox.conf"))

        // A second run keeps the operator's configuration.
        try "[log]\nlevel = debug\n".write(toFile: stage.path + "/etc/outbox/outbox.conf", atomically: true, encoding: .utf8)
        let again = try Shell.run("/bin/bash", [RepositoryPaths.deploy("install.sh"), "--prefix", "/usr", "--destdir", stage.path, "--binary", binary])
        #expect(again.output.contains("kept existing /etc/outbox/outbox.conf"))
        #expect(try String(contentsOfFile: stage.path + "/etc/outbox/outbox.conf", encoding: .utf8) == "[log]\nlevel = debug\n")
    }
}
