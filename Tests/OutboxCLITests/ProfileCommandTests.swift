import Foundation
import Testing

@Suite struct ProfileCommandTests {
    static let secret = "Sup3r-S3cret-Pa55"

    @Test func oneConfigurationManyUsers() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let outbox = workspace.outbox
        #expect(try outbox.run(["profile", "set", "firma", "--preset", "zone", "--user", "info@firma.ee", "--from", "info@firma.ee",
                                "--password-stdin"], stdin: "company-pw\n").status == 0)
        #expect(try outbox.run(["settings", "set", "global-profile", "firma"]).status == 0)
        #expect(try outbox.run(["profile", "set", "mari", "--user", "mari@firma.ee", "--password-stdin"], stdin: Self.secret + "\n").status == 0)

        let resolved = try #require(try outbox.run(["profile", "resolve", "mari", "--json"]).json() as? [String: Any])
        let fields = Dictionary(uniqueKeysWithValues: (resolved["fields"] as! [[String: Any]]).map { ($0["name"] as! String, $0) })
        #expect(fields["host"]?["value"] as? String == "smtp.zone.eu" && fields["host"]?["origin"] as? String == "global")
        #expect(fields["port"]?["value"] as? String == "587" && fields["tls"]?["value"] as? String == "starttls")
        #expect(fields["user"]?["value"] as? String == "mari@firma.ee" && fields["user"]?["origin"] as? String == "owner")
        #expect(fields["password"]?["origin"] as? String == "owner")
        #expect(fields["from"]?["value"] as? String == "info@firma.ee")

        let stranger = try #require(try outbox.run(["profile", "resolve", "someone-new", "--json"]).json() as? [String: Any])
        let strangerFields = (stranger["fields"] as! [[String: Any]])
        #expect(strangerFields.first { $0["name"] as? String == "user" }?["value"] as? String == "info@firma.ee")
    }

    @Test func appPasswordSpacesAreRemovedAndTheUserIsTold() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let result = try workspace.outbox.run(["profile", "set", "me", "--preset", "gmail", "--user", "me@gmail.com", "--password-stdin"],
                                              stdin: "abcd efgh ijkl mnop\n")
        #expect(result.status == 0)
        #expect(result.stderr.contains("removed 3 space(s)"))
        let show = try workspace.outbox.run(["profile", "show", "me", "--json"])
        #expect((try show.json() as? [String: Any])?["port"] as? Int == 587)
        #expect(!show.stdout.contains("abcd"))
    }

    @Test func portDecidesTLSWhenNotGiven() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        _ = try workspace.outbox.run(["profile", "set", "a", "--mode", "smtp", "--host", "mail.example.com", "--port", "465"])
        #expect((try workspace.outbox.run(["profile", "show", "a", "--json"]).json() as? [String: Any])?["tls"] as? String == "tls")
        _ = try workspace.outbox.run(["profile", "set", "a", "--port", "587"])
        #expect((try workspace.outbox.run(["profile", "show", "a", "--json"]).json() as? [String: Any])?["tls"] as? String == "starttls")
    }

    @Test func aPasswordArgumentIsRefusedWithoutEchoingIt() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let result = try workspace.outbox.run(["profile", "set", "a", "--user", "u", "--password", Self.secret])
        #expect(result.status == 64)
        #expect(result.stderr.contains("never accepted as command-line arguments"))
        #expect(!result.stderr.contains(Self.secret) && !result.stdout.contains(Self.secret))
    }

    @Test func theSecretNeverAppearsInAnyOutputOrEvent() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let outbox = workspace.outbox
        var outputs: [OutboxProcess.Result] = []
        outputs.append(try outbox.run(["profile", "set", "a", "--mode", "smtp", "--host", "smtp.example.com", "--user", "u@example.com",
                                       "--password-stdin"], stdin: Self.secret))
        outputs.append(try outbox.run(["profile", "set", "a", "--port", "465", "--json"]))
        for arguments in [["profile", "show", "a"], ["profile", "show", "a", "--json"], ["profile", "list"], ["profile", "list", "--json"],
                          ["profile", "resolve", "a"], ["profile", "resolve", "a", "--json"], ["events", "--json"], ["status"]] {
            outputs.append(try outbox.run(arguments))
        }
        for output in outputs {
            #expect(output.status == 0, "\(output.stderr)")
            #expect(!output.stdout.contains(Self.secret) && !output.stderr.contains(Self.secret))
        }
        let attributes = try FileManager.default.attributesOfItem(atPath: outbox.database)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test func resolveUsesTheSameRelayAsServe() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let config = try workspace.write("outbox.conf", "[relay]\nhost = relay.firma.example\nport = 587\n")
        let resolved = try workspace.outbox.run(["profile", "resolve", "nobody", "--config", config, "--json"])
        #expect(resolved.status == 0, "\(resolved.stderr)")
        let fields = (try resolved.json() as? [String: Any])?["fields"] as? [[String: Any]] ?? []
        let host = fields.first { $0["name"] as? String == "host" }
        #expect(host?["value"] as? String == "relay.firma.example" && host?["origin"] as? String == "system")
        #expect(fields.first { $0["name"] as? String == "tls" }?["value"] as? String == "starttls")
    }
}
