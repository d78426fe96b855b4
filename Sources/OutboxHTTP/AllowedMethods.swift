import Foundation

/// The methods each path takes: the OpenAPI document's paths plus the status pages. A
/// request with another method on such a path is answered 405 with `Allow` (RFC 9110
/// §15.5.6), not 404; read from the document so the two cannot disagree.
enum AllowedMethods {
    private static let operations: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    /// Path templates split into segments (`{id}` matches any one segment), with their methods.
    static let templates: [(segments: [String], methods: [String])] = {
        var table: [String: Set<String>] = ["/": ["GET"], StatusRoutes.loginPath: ["GET", "POST"], StatusRoutes.logoutPath: ["POST"],
                                            "/status/messages/{id}": ["GET"]]
        if let document = try? JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any],
           let paths = document["paths"] as? [String: [String: Any]] {
            for (path, entries) in paths { table[path, default: []].formUnion(entries.keys.filter(operations.contains).map { $0.uppercased() }) }
        }
        return table.map { (segments: $0.key.split(separator: "/").map(String.init), methods: $0.value.sorted()) }
    }()

    /// The methods `path` takes, or nil when no route has that path.
    static func methods(for path: String) -> [String]? {
        let segments = path.split(separator: "/")
        return templates.first { template in
            template.segments.count == segments.count
                && zip(template.segments, segments).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }?.methods
    }
}
