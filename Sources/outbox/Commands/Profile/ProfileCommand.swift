import ArgumentParser

/// `outbox profile …`: per-owner sending profiles.
struct ProfileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile", abstract: "Manage per-owner sending profiles (SMTP server, credentials, sender).",
        subcommands: [ProfileSetCommand.self, ProfileShowCommand.self, ProfileListCommand.self, ProfileDeleteCommand.self,
                      ProfileResolveCommand.self, ProfileTestCommand.self, ProfileOAuthCommand.self])
}

/// `outbox settings …`: company-wide settings.
struct SettingsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings", abstract: "Company-wide settings (e.g. the global profile every owner inherits).",
        subcommands: [SettingsSetCommand.self, SettingsShowCommand.self])
}
