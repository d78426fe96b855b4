import Foundation

/// Looks for bytes in files, as `grep -l` would: proves what reached the disk.
public enum FileGrep {
    /// Names of the files directly in `directory` (sorted) whose bytes contain `text` as UTF-8.
    public static func files(in directory: String, containing text: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.sorted().filter { name in
            FileManager.default.contents(atPath: directory + "/" + name).map { $0.range(of: Data(text.utf8)) != nil } ?? false
        }
    }
}
