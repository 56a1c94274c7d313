import Foundation
import PlexusBroker
import Testing

@Suite struct RoutingDurationTests {
    // MARK: ISO8601Duration parsing

    @Test func parsesKnativeStyleDurationsToMilliseconds() {
        #expect(ISO8601Duration("PT0.2S")?.milliseconds == 200)
        #expect(ISO8601Duration("PT1M30S")?.milliseconds == 90_000)
        #expect(ISO8601Duration("P1D")?.milliseconds == 86_400_000)
        #expect(ISO8601Duration("P2W")?.milliseconds == 1_209_600_000)
        #expect(ISO8601Duration("PT1H")?.milliseconds == 3_600_000)
        #expect(ISO8601Duration("PT0S")?.milliseconds == 0)
        #expect(ISO8601Duration("PT45S")?.milliseconds == 45_000)
        // 1 d + 2 h + 3 min + 4.5 s
        #expect(ISO8601Duration("P1DT2H3M4.5S")?.milliseconds == 93_784_500)
    }

    @Test func keepsTheTextItWasWrittenAs() {
        #expect(ISO8601Duration("PT1M30S")?.text == "PT1M30S")
        #expect(ISO8601Duration("PT1M30S")?.description == "PT1M30S")
    }

    @Test func fractionOfSecondsIsTruncatedToWholeMilliseconds() {
        #expect(ISO8601Duration("PT0.0015S")?.milliseconds == 1)
        #expect(ISO8601Duration("PT0.0009S")?.milliseconds == 0)
        #expect(ISO8601Duration("PT1.999999S")?.milliseconds == 1_999)
        #expect(ISO8601Duration("PT2.5S")?.milliseconds == 2_500)
        // ISO 8601 also allows a comma as the decimal sign.
        #expect(ISO8601Duration("PT2,5S")?.milliseconds == 2_500)
    }

    @Test(
        arguments: [
            "", "P", "PT", "1S", "T1S", "pt1s", " PT1S", "PT1S ",
            "P1Y", "P1M", "PT1D", "P1H", "P1S",
            "PT1.5M", "PT1.5H", "P1.5D", "P1.5W",
            "PT1S1M", "PT1M1H", "P1D1W", "PT1S1S", "P1D1D",
            "PT1", "P1DT", "PT.5S", "PT1.S", "P-1D", "PT+1S", "PTS", "P1DT1X",
            "P1000000000000D", "PT9999999999999S",
        ]
    )
    func rejectsTextThatIsNoAcceptedDuration(_ text: String) {
        #expect(ISO8601Duration(text) == nil, "'\(text)' should not parse")
    }

    @Test func rejectsTextLongerThan64Bytes() {
        let long = "PT0." + String(repeating: "0", count: 59) + "S"
        #expect(long.utf8.count == 64)
        #expect(ISO8601Duration(long)?.milliseconds == 0)
        #expect(ISO8601Duration("PT0." + String(repeating: "0", count: 60) + "S") == nil)
    }

    /// At most ten digits per component, and totals up to a quarter of Int64 milliseconds: longer counts are
    /// refused rather than trapping on the multiplication.
    @Test func hugeDayOrWeekCountsAreRefusedWithoutCrashing() async {
        // Control: the exit-test harness itself succeeds for a plain duration.
        await #expect(processExitsWith: .success) {
            if ISO8601Duration("P9999999999D")?.milliseconds != 863_999_999_913_600_000 { exit(1) }
        }
        await #expect(processExitsWith: .success) {
            if ISO8601Duration("P999999999999D") != nil || ISO8601Duration("P99999999999D") != nil { exit(1) }
        }
        await #expect(processExitsWith: .success) {
            if ISO8601Duration("P99999999999W") != nil { exit(1) }
        }
    }

    @Test func writesMillisecondsAsSeconds() {
        #expect(ISO8601Duration(milliseconds: 200).text == "PT0.2S")
        #expect(ISO8601Duration(milliseconds: 1_500).text == "PT1.5S")
        #expect(ISO8601Duration(milliseconds: 5).text == "PT0.005S")
        #expect(ISO8601Duration(milliseconds: 60_000).text == "PT60S")
        #expect(ISO8601Duration(milliseconds: 0).text == "PT0S")
        for ms: Int64 in [0, 1, 10, 200, 1_001, 59_999, 86_400_000] {
            #expect(ISO8601Duration(ISO8601Duration(milliseconds: ms).text)?.milliseconds == ms)
        }
    }

    @Test func equalityAndOrderFollowTheLengthNotTheText() {
        #expect(ISO8601Duration("PT60S") == ISO8601Duration("PT1M"))
        #expect(ISO8601Duration("P7D") == ISO8601Duration("P1W"))
        #expect(ISO8601Duration(milliseconds: 200) < ISO8601Duration(milliseconds: 201))
        #expect(Set([ISO8601Duration("PT60S")!, ISO8601Duration("PT1M")!]).count == 1)
    }

    @Test func codableRoundTripKeepsTheText() throws {
        let value = try #require(ISO8601Duration("PT1M30S"))
        let data = try JSONEncoder().encode([value])
        #expect(String(decoding: data, as: UTF8.self) == #"["PT1M30S"]"#)
        let back = try JSONDecoder().decode([ISO8601Duration].self, from: data)
        #expect(back == [value])
        #expect(back.first?.text == "PT1M30S")
    }

    @Test func decodingBadTextIsAnErrorNamingTheText() {
        let error = #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([ISO8601Duration].self, from: Data(#"["soon"]"#.utf8))
        }
        guard case .dataCorrupted(let context)? = error else {
            Issue.record("expected dataCorrupted, got \(String(describing: error))")
            return
        }
        #expect(context.debugDescription.contains("'soon'"))
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([ISO8601Duration].self, from: Data("[200]".utf8))
        }
    }

    // MARK: Backoff

    func delivery(_ policy: DeliverySpec.BackoffPolicy, delayMs: Int64 = 200) -> DeliverySpec {
        var spec = DeliverySpec()
        spec.backoffPolicy = policy
        spec.backoffDelay = ISO8601Duration(milliseconds: delayMs)
        return spec
    }

    @Test func linearBackoffIsDelayTimesRetry() {
        let spec = delivery(.linear)
        #expect((1...5).map { spec.backoff(beforeRetry: $0) } == [200, 400, 600, 800, 1_000])
        #expect(spec.backoff(beforeRetry: 100) == 20_000)
    }

    @Test func exponentialBackoffDoublesFromTheDelay() {
        let spec = delivery(.exponential)
        #expect((1...5).map { spec.backoff(beforeRetry: $0) } == [200, 400, 800, 1_600, 3_200])
        #expect(spec.backoff(beforeRetry: 11) == 200 * 1_024)
    }

    @Test func defaultsAreExponentialFrom200Milliseconds() {
        let spec = DeliverySpec()
        #expect(spec.backoffPolicy == .exponential)
        #expect(spec.backoff(beforeRetry: 1) == 200)
        #expect(spec.backoff(beforeRetry: 3) == 800)
    }

    @Test func noSingleWaitExceedsAnHourWhateverThePolicyComputes() {
        let spec = delivery(.exponential)
        #expect(spec.backoff(beforeRetry: 15) == 200 << 14)  // 54.6 minutes: below the cap
        #expect(spec.backoff(beforeRetry: 16) == DeliverySpec.maxBackoffMs)
        #expect(spec.backoff(beforeRetry: 1_000) == DeliverySpec.maxBackoffMs)
        #expect(spec.backoff(beforeRetry: Int.max) == DeliverySpec.maxBackoffMs)
        // A day doubled 40 times overflows Int64: still capped, never a wrapped (negative) wait.
        let daily = delivery(.exponential, delayMs: 86_400_000)
        #expect(daily.backoff(beforeRetry: 100) == DeliverySpec.maxBackoffMs)
        let linear = delivery(.linear, delayMs: 86_400_000)
        #expect(linear.backoff(beforeRetry: 1) == DeliverySpec.maxBackoffMs)
    }

    /// Linear backoff must not wrap on overflow.
    @Test func linearBackoffForHugeRetriesDoesNotWrap() {
        let spec = delivery(.linear)
        let huge = spec.backoff(beforeRetry: Int.max)
        #expect(huge >= spec.backoff(beforeRetry: 1_000_000), "linear backoff wrapped to \(huge)")
        let long = delivery(.linear, delayMs: Int64.max / 2)
        #expect(long.backoff(beforeRetry: 3) > 0, "linear backoff wrapped to \(long.backoff(beforeRetry: 3))")
    }

    // MARK: retryWait

    @Test func retryWaitWithoutRetryAfterIsTheBackoff() {
        let spec = delivery(.exponential)
        #expect(retryWait(delivery: spec, retry: 1, retryAfterMs: nil) == 200)
        #expect(retryWait(delivery: spec, retry: 3, retryAfterMs: nil) == 800)
    }

    @Test func retryWaitHonoursALongerRetryAfter() {
        let spec = delivery(.exponential)
        #expect(retryWait(delivery: spec, retry: 1, retryAfterMs: 5_000) == 5_000)
        // A shorter Retry-After does not shorten the backoff.
        #expect(retryWait(delivery: spec, retry: 3, retryAfterMs: 100) == 800)
        #expect(retryWait(delivery: spec, retry: 3, retryAfterMs: 0) == 800)
    }

    @Test func retryWaitCapsRetryAfterAtRetryAfterMax() {
        var spec = delivery(.exponential)
        #expect(retryWait(delivery: spec, retry: 1, retryAfterMs: 3_600_000) == 60_000)
        spec.retryAfterMax = ISO8601Duration(milliseconds: 10_000)
        #expect(retryWait(delivery: spec, retry: 1, retryAfterMs: 3_600_000) == 10_000)
        #expect(retryWait(delivery: spec, retry: 1, retryAfterMs: 9_000) == 9_000)
        // The cap limits only Retry-After; a longer backoff still wins.
        spec.backoffDelay = ISO8601Duration(milliseconds: 20_000)
        #expect(retryWait(delivery: spec, retry: 1, retryAfterMs: 3_600_000) == 20_000)
    }
}
