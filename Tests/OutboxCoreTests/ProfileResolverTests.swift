import Testing
@testable import OutboxCore

@Suite struct ProfileResolverTests {
    private var company: ProfileFields {
        var fields = ProfileFields()
        fields.mode = .smtp
        fields.host = "smtp.zone.eu"
        fields.port = 587
        fields.username = "company@firma.ee"
        fields.secret = "company-secret"
        fields.fromAddress = "info@firma.ee"
        return fields
    }

    private var relay: ProfileFields {
        var fields = ProfileFields()
        fields.host = "relay.vendor.example"
        fields.port = 25
        fields.tls = TLSMode.none
        return fields
    }

    @Test func ownerSettingOnlyUserAndPasswordInheritsTheCompanyServer() {
        var own = ProfileFields()
        own.username = "mari@firma.ee"
        own.secret = "mari-app-password"
        let resolved = ProfileResolver.resolve(owner: "mari", own: own, global: company, system: relay)
        #expect(resolved.mode == .smtp && resolved.host == "smtp.zone.eu" && resolved.port == 587 && resolved.tls == .starttls)
        #expect(resolved.username == "mari@firma.ee" && resolved.secret == "mari-app-password")
        #expect(resolved.origins["host"] == .global && resolved.origins["username"] == .owner && resolved.origins["tls"] == .default)
    }

    @Test func aUserNameWithoutPasswordNeverBorrowsTheCompanyPassword() {
        var own = ProfileFields()
        own.username = "mari@firma.ee"
        let resolved = ProfileResolver.resolve(owner: "mari", own: own, global: company, system: relay)
        #expect(resolved.username == "mari@firma.ee" && resolved.secret == nil)
    }

    @Test func noProfileAnywhereMeansTheSystemRelay() {
        let resolved = ProfileResolver.resolve(owner: "x", own: nil, global: nil, system: relay)
        #expect(resolved.mode == .system && resolved.host == "relay.vendor.example" && resolved.tls == TLSMode.none)
        #expect(resolved.origins["mode"] == .default && resolved.origins["host"] == .system)
    }

    @Test func globalOnlyAppliesToEveryOwner() {
        let resolved = ProfileResolver.resolve(owner: "anyone", own: nil, global: company, system: relay)
        #expect(resolved.host == "smtp.zone.eu" && resolved.username == "company@firma.ee" && resolved.origins["secret"] == .global)
    }

    @Test func systemModeIgnoresOwnerServerFields() {
        var own = ProfileFields()
        own.mode = .system
        own.host = "ignored.example"
        let resolved = ProfileResolver.resolve(owner: "x", own: own, global: company, system: relay)
        #expect(resolved.host == "relay.vendor.example")
    }

    @Test func port465DefaultsToImplicitTLSAndTheSecretIsNeverDescribed() {
        var own = ProfileFields()
        own.mode = .smtp
        own.host = "smtp.gmail.com"
        own.port = 465
        own.username = "me@gmail.com"
        own.secret = "abcdefghijklmnop"
        let resolved = ProfileResolver.resolve(owner: "me", own: own, global: nil, system: relay)
        #expect(resolved.tls == .tls)
        #expect(!"\(resolved)".contains("abcdefghijklmnop") && !"\(own)".contains("abcdefghijklmnop"))
    }

    @Test func maxConnectionsOfTheOwnerWinsOverTheCompanys() {
        var global = company
        global.maxConnections = 4
        var own = ProfileFields()
        own.maxConnections = 3
        let resolved = ProfileResolver.resolve(owner: "mari", own: own, global: global, system: relay)
        #expect(resolved.maxConnections == 3 && resolved.origins["maxConnections"] == .owner)
    }

    @Test func maxConnectionsIsInheritedFromTheGlobalProfile() {
        var global = company
        global.maxConnections = 4
        var own = ProfileFields()
        own.username = "mari@firma.ee"
        let resolved = ProfileResolver.resolve(owner: "mari", own: own, global: global, system: relay)
        #expect(resolved.maxConnections == 4 && resolved.origins["maxConnections"] == .global)
        // Like the rate limits, the cap is a profile field, not an endpoint one: system mode keeps it.
        var systemOwner = ProfileFields()
        systemOwner.mode = .system
        let viaRelay = ProfileResolver.resolve(owner: "x", own: systemOwner, global: global, system: relay)
        #expect(viaRelay.maxConnections == 4 && viaRelay.origins["maxConnections"] == .global)
    }

    @Test func maxConnectionsUnsetEverywhereLeavesTheDaemonDefault() {
        var relayWithCap = relay
        relayWithCap.maxConnections = 9
        let resolved = ProfileResolver.resolve(owner: "mari", own: ProfileFields(), global: company, system: relayWithCap)
        #expect(resolved.maxConnections == nil && resolved.origins["maxConnections"] == nil)
    }
}
