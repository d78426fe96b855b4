/// One `key = value` line of a configuration file, with the section it is in.
struct ConfigurationEntry: Sendable, Equatable {
    var section: String
    var key: String
    /// The value with quotes removed and escapes resolved.
    var value: String
    /// 1-based line number.
    var line: Int
}
