import Testing
@testable import OutboxTransport

@Test func libcurlInitialisesAndReportsItsVersion() {
    #expect(CurlRuntime.ensureInitialised())
    #expect(CurlRuntime.version.hasPrefix("libcurl/"))
}
