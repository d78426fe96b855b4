import OutboxCore
import Testing

/// The delivery test target builds and links against the delivery modules.
@Suite struct DeliveryTargetTests {
    @Test func sentIsAFinishedState() {
        #expect(MessageState.sent.isFinished)
    }
}
