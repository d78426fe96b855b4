/// Reads the listings libcurl hands back: `* SEARCH 3 7 9` (IMAP `UID SEARCH`) and
/// `1 2048` lines (POP3 `LIST`).
enum MailboxResponse {
    static func imapSearch(_ bytes: [UInt8]) -> [String] {
        lines(bytes).flatMap { line -> [String] in
            let words = line.split(separator: " ")
            guard words.count >= 2, words[0] == "*", words[1].uppercased() == "SEARCH" else { return [] }
            return words.dropFirst(2).filter { $0.allSatisfy(\.isNumber) }.map(String.init)
        }
    }

    static func pop3List(_ bytes: [UInt8]) -> [String] {
        lines(bytes).compactMap { line in
            guard let first = line.split(separator: " ").first, first.allSatisfy(\.isNumber) else { return nil }
            return String(first)
        }
    }

    private static func lines(_ bytes: [UInt8]) -> [String] {
        String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == "\r\n" || $0 == "\n" || $0 == "\r" }).map(String.init)
    }
}
