import Foundation
import OutboxTestSupport
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
        // Mari logs in as herself and has no From of her own: she sends as her login.
        #expect(fields["from"]?["value"] as? String == "mari@firma.ee" && fields["from"]?["origin"] as? String == "owner-login")

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
        #expect((try workspace.outbox.run(["profile", "show", "a", "--json"]).json() as? [String: Any])?["tls"] as? String == "ssl")
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

    /// The value and origin of one field of `profile resolve OWNER --json`.
    private func resolvedField(_ outbox: OutboxProcess, _ owner: String, _ name: String) throws -> (value: String?, origin: String?) {
        let result = try outbox.run(["profile", "resolve", owner, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let fields = (try result.json() as? [String: Any])?["fields"] as? [[String: Any]] ?? []
        let field = fields.first { $0["name"] as? String == name }
        #expect(field != nil, "no field \(name) in \(result.stdout)")
        return (field?["value"] as? String, field?["origin"] as? String)
    }

    @Test func maxConnectionsIsStoredShownAndResolved() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let outbox = workspace.outbox
        let set = try outbox.run(["profile", "set", "a", "--mode", "smtp", "--host", "smtp.example.com", "--max-connections", "3"])
        #expect(set.status == 0, "\(set.stderr)")
        #expect((try outbox.run(["profile", "show", "a", "--json"]).json() as? [String: Any])?["maxConnections"] as? Int == 3)
        let show = try outbox.run(["profile", "show", "a"])
        #expect(show.stdout.split(separator: "\n").contains { $0.split(separator: " ") == ["connections", "3"] }, "\(show.stdout)")

        #expect(try resolvedField(outbox, "a", "max-connections") == ("3", "owner"))
        let resolve = try outbox.run(["profile", "resolve", "a"])
        #expect(resolve.stdout.split(separator: "\n").contains { $0.split(separator: " ") == ["max-connections", "3", "owner"] }, "\(resolve.stdout)")

        // Other changes keep it; --clear max-connections makes it inherited again.
        #expect(try outbox.run(["profile", "set", "a", "--port", "465"]).status == 0)
        #expect((try outbox.run(["profile", "show", "a", "--json"]).json() as? [String: Any])?["maxConnections"] as? Int == 3)
        #expect(try outbox.run(["profile", "set", "a", "--clear", "max-connections"]).status == 0)
        let cleared = try outbox.run(["profile", "show", "a", "--json"]).json() as? [String: Any]
        #expect(cleared?["port"] as? Int == 465 && cleared?["maxConnections"] == nil)
        #expect(try outbox.run(["profile", "show", "a"]).stdout.split(separator: "\n").contains {
            $0.split(separator: " ") == ["connections", "(inherited)"]
        })
        #expect(try resolvedField(outbox, "a", "max-connections") == (nil, nil))
    }

    @Test func maxConnectionsIsInheritedFromTheGlobalProfile() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let outbox = workspace.outbox
        #expect(try outbox.run(["profile", "set", "firma", "--preset", "zone", "--user", "info@firma.ee", "--max-connections", "4"]).status == 0)
        #expect(try outbox.run(["settings", "set", "global-profile", "firma"]).status == 0)
        #expect(try outbox.run(["profile", "set", "mari", "--user", "mari@firma.ee"]).status == 0)
        #expect(try resolvedField(outbox, "mari", "max-connections") == ("4", "global"))
        #expect(try resolvedField(outbox, "someone-new", "max-connections") == ("4", "global"))
        #expect(try outbox.run(["profile", "set", "mari", "--max-connections", "1"]).status == 0)
        #expect(try resolvedField(outbox, "mari", "max-connections") == ("1", "owner"))
    }

    @Test func maxConnectionsOutOfRangeIsRefusedAndNothingIsWritten() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let outbox = workspace.outbox
        #expect(try outbox.run(["profile", "set", "a", "--host", "smtp.example.com", "--max-connections", "3"]).status == 0)
        for value in ["0", "1025"] {
            let refused = try outbox.run(["profile", "set", "a", "--host", "other.example.com", "--max-connections", value])
            #expect(refused.status == 64)
            #expect(refused.stderr.contains("--max-connections must be between 1 and 1024"), "\(refused.stderr)")
        }
        let stored = try outbox.run(["profile", "show", "a", "--json"]).json() as? [String: Any]
        #expect(stored?["maxConnections"] as? Int == 3 && stored?["host"] as? String == "smtp.example.com")

        let fresh = try outbox.run(["profile", "set", "b", "--max-connections", "0"])
        #expect(fresh.status == 64)
        #expect(try outbox.run(["profile", "show", "b"]).status != 0)
    }
}
