import Foundation
import OutboxCore
import Testing

@Suite struct RFC3339TimeTests {
    @Test(arguments: [
        "2026-12-02T08:00:00+02:00", "2026-12-02T06:00:00Z", "2026-12-01T21:30:00-08:30", "2024-02-29T23:59:59.5+00:00",
        "1999-12-31T23:00:00.123456-01:00", "2026-12-02t06:00:00z",
    ])
    func readsTheSameInstantAsFoundation(text: String) throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = text.contains(".") ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
        let expected = try #require(formatter.date(from: text.uppercased()))
        #expect(RFC3339Time.milliseconds(text) == Int64((expected.timeIntervalSince1970 * 1000).rounded(.down)))
    }

    @Test(arguments: [
        "2026-12-02T08:00:00", "2026-12-02", "2026-12-02 08:00", "2026-02-30T08:00:00Z", "2026-12-02T24:00:00Z",
        "2026-12-02T08:00:00+2:00", "2026-12-02T08:00:00.Z", "2026-12-02T08:00:00Z ", "tomorrow",
    ])
    func refusesWhatIsNotRFC3339WithAnOffset(text: String) {
        #expect(RFC3339Time.milliseconds(text) == nil)
    }
}
