import ArgumentParser
import OutboxStore

/// `outbox settings set NAME VALUE`.
struct SettingsSetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Set a company-wide setting.",
        discussion: "global-profile OWNER: that owner's profile is the company default every owner inherits (\"one configuration, many users\"). Use --unset to remove.")
    @OptionGroup var database: DatabaseOptions
    @Argument(help: "Setting name: global-profile.") var name: String
    @Argument(help: "Value.") var value: String?
    @Flag(help: "Remove the setting.") var unset = false

    func validate() throws {
        guard name == OutboxDatabase.globalProfileSetting else { throw ValidationError("unknown setting '\(name)'; known: global-profile") }
        guard (value == nil) == unset else { throw ValidationError("give a value, or --unset") }
    }

    func run() throws {
        try database.withProfileStore { outbox in
            if let value, try outbox.profile(owner: value) == nil {
                Terminal.error("owner \(value) has no profile; create it first with outbox profile set \(value) …")
                throw ExitCode.failure
            }
            try outbox.setSetting(name, value)
        }
        print(value.map { "\(name) = \($0)" } ?? "\(name) removed")
    }
}

/// `outbox settings show`.
struct SettingsShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show company-wide settings.")
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let value = try database.withProfileStore { try $0.setting(OutboxDatabase.globalProfileSetting) }
        print("global-profile = \(value ?? "(none: owners without a profile use the system relay)")")
    }
}
