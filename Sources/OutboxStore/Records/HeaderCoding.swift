import Foundation
import OutboxCore

/// Custom headers are stored as a JSON array of `[name, value]` pairs, order kept.
package enum HeaderCoding {
    package static func encode(_ headers: [HeaderField]) -> String? {
        guard !headers.isEmpty else { return nil }
        let pairs = headers.map { [$0.name, $0.value] }
        guard let data = try? JSONSerialization.data(withJSONObject: pairs) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    package static func decode(_ text: String?) -> [(name: String, value: String)] {
        guard let text, let data = text.data(using: .utf8),
            let pairs = try? JSONSerialization.jsonObject(with: data) as? [[String]]
        else { return [] }
        return pairs.compactMap { $0.count == 2 ? ($0[0], $0[1]) : nil }
    }
}
