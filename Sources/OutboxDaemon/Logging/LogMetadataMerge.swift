import Logging

/// swift-log's precedence: handler metadata, then the metadata provider, then the call's own.
enum LogMetadataMerge {
    static func merge(handler: Logger.Metadata, provider: Logger.MetadataProvider?, call: Logger.Metadata?) -> Logger.Metadata {
        var merged = handler
        if let provided = provider?.get() { merged.merge(provided) { _, new in new } }
        if let call { merged.merge(call) { _, new in new } }
        return merged
    }
}
