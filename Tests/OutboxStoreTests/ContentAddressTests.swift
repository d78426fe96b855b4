import OutboxCore
import Testing
@testable import OutboxStore

/// Attachment contents are addressed by BoringSSL's SHA-256 at enqueue: the same hex digest
/// as OutboxCore's own SHA256 (which stored contents were addressed with before).
@Suite struct ContentAddressTests {
    @Test(arguments: [0, 1, 55, 56, 63, 64, 65, 1000, 20_480, 100_003])
    func sameDigestAsOutboxCore(size: Int) {
        let data = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }
        #expect(AttachmentPreparer.contentAddress(data) == OutboxCore.SHA256.hex(of: data))
    }
}
