/// When a message may be sent: `notBefore` (scheduled sending) and `expiresAt` (pointless
/// after that time: the message fails as `expired` instead of going out late), both
/// written as RFC 3339 times with an offset and stored as Unix milliseconds.
struct MessageSchedule {
    let notBefore: Int64?
    let expiresAt: Int64?

    /// Reads and checks the two times: each must be RFC 3339 with an offset, `expiresAt`
    /// must be after `notBefore` and, when `now` is given, still ahead.
    init(notBefore: String?, expiresAt: String?, now: Int64?,
         fail: (IntakeError.Code, String?, String) -> IntakeError) throws(IntakeError) {
        func read(_ text: String?, _ field: String) throws(IntakeError) -> Int64? {
            guard let text else { return nil }
            guard let milliseconds = RFC3339Time.milliseconds(text) else {
                throw fail(.invalidValue, field, "\(field) '\(text)' is not an RFC 3339 time with an offset, like 2026-12-02T08:00:00+02:00")
            }
            return milliseconds
        }
        self.notBefore = try read(notBefore, "notBefore")
        self.expiresAt = try read(expiresAt, "expiresAt")
        guard let expires = self.expiresAt, let expiresAt else { return }
        if let start = self.notBefore, let notBefore, expires <= start {
            throw fail(.invalidValue, "expiresAt", "expiresAt \(expiresAt) is not after notBefore \(notBefore); the message could never be sent")
        }
        if let now, expires <= now {
            throw fail(.invalidValue, "expiresAt", "expiresAt \(expiresAt) has already passed")
        }
    }
}
