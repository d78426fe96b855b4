// libFuzzer entry point for the bounce parser. Built by Fuzz/run.sh together with the
// parser sources (Sources/OutboxCore/Bounces/*.swift and EnhancedStatusCode.swift).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = [UInt8](UnsafeRawBufferPointer(start: start, count: count))
    let report = BounceParser(returnedHeaderNames: ["Message-ID", "X-Outbox-Token", "Subject"]).parse(bytes)
    // Touch the result so nothing is optimised away, and check invariants.
    precondition(report.perRecipient.count <= BounceLimits().maxRecipients)
    if report.kind == .autoReply { precondition(report.perRecipient.isEmpty) }
    _ = report.verpTokens()
    return 0
}
