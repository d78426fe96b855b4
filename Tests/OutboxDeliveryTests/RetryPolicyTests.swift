import OutboxCore
import Testing

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy()

    @Test func delaysDoubleFromFiveMinutesUpToFourHours() {
        let minutes = (1...9).map { RetryPolicy.milliseconds(policy.baseDelay(afterAttempt: $0)) / 60_000 }
        #expect(minutes == [5, 10, 20, 40, 80, 160, 240, 240, 240])
    }

    @Test func jitterStaysWithinTwentyPercent() {
        #expect(RetryPolicy.milliseconds(policy.delay(afterAttempt: 1, random: 0)) == 240_000)
        #expect(RetryPolicy.milliseconds(policy.delay(afterAttempt: 1, random: 0.5)) == 300_000)
        #expect(RetryPolicy.milliseconds(policy.delay(afterAttempt: 1, random: 0.999_999)) <= 360_000)
        for _ in 0..<100 {
            let delay = RetryPolicy.milliseconds(policy.delay(afterAttempt: 3, random: Double.random(in: 0..<1)))
            #expect((960_000...1_440_000).contains(delay))
        }
    }

    @Test func givesUpFiveDaysAfterEnqueue() {
        let created: Int64 = 1_000_000
        let day: Int64 = 86_400_000
        #expect(policy.decide(afterAttempt: 1, createdAt: created, now: created + 1000, random: 0.5) == .retry(at: created + 1000 + 300_000))
        #expect(policy.decide(afterAttempt: 30, createdAt: created, now: created + 5 * day - 1, random: 0.5) == .retry(at: created + 5 * day - 1 + 14_400_000))
        #expect(policy.decide(afterAttempt: 30, createdAt: created, now: created + 5 * day, random: 0.5) == .giveUp)
    }

    @Test func everythingIsConfigurable() {
        let fast = RetryPolicy(firstDelay: .milliseconds(100), multiplier: 3, maxDelay: .seconds(1), jitter: 0, giveUpAfter: .seconds(2))
        #expect((1...4).map { RetryPolicy.milliseconds(fast.delay(afterAttempt: $0, random: 0.9)) } == [100, 300, 900, 1000])
        #expect(fast.decide(afterAttempt: 1, createdAt: 0, now: 2000, random: 0) == .giveUp)
    }
}
