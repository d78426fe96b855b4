import Foundation

/// Reads the configuration file's text, telling a missing file from an unreadable one.
enum ConfigurationFileReader {
    /// The text, or nil when the file does not exist and is not `required`.
    static func read(path: String, required: Bool) throws(ConfigurationError) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
                guard required else { return nil }
                throw ConfigurationError(.fileNotFound, file: path, line: nil, reason: "configuration file not found")
            }
            let what = isDirectory.boolValue ? "is a directory" : "cannot be read (check its permissions)"
            throw ConfigurationError(.unreadable, file: path, line: nil, reason: "configuration file \(what)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(.unreadable, file: path, line: nil, reason: "configuration file is not UTF-8 text")
        }
        return text
    }
}
