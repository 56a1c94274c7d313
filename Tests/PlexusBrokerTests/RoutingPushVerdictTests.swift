import Foundation
import NIOCore
import PlexusBroker
import Testing

@Suite struct RoutingPushVerdictTests {
    /// `Sun, 06 Nov 1994 08:49:37 GMT` in ms since the epoch.
    static let rfcExampleDate: Int64 = 784_111_777_000

    func status(_ code: Int, _ headers: [String: String] = [:]) -> PushResponse {
        .status(code, headers: headers, body: ByteBuffer())
    }

    func verdict(_ code: Int, _ headers: [String: String] = [:], now: Int64 = 0) -> PushVerdict {
        PushVerdict.classify(status(code, headers), now: now)
    }

    @Test(arguments: [200, 201, 202, 204, 299])
    func successStatusesAreDelivered(_ code: Int) {
        #expect(verdict(code) == .delivered)
    }

    @Test(arguments: [404, 408, 409, 429, 500, 502, 503, 504, 599])
    func transientStatusesAreRetriable(_ code: Int) {
        #expect(verdict(code) == .retriable(retryAfterMs: nil))
    }

    @Test func timeoutsAndConnectionFailuresAreRetriable() {
        #expect(PushVerdict.classify(.timeout, now: 0) == .retriable(retryAfterMs: nil))
        #expect(PushVerdict.classify(.connectionFailed("connection refused"), now: 0) == .retriable(retryAfterMs: nil))
    }

    @Test(arguments: [100, 301, 302, 304, 400, 401, 403, 405, 410, 413, 415, 422, 451])
    func refusalsAndRedirectsArePermanent(_ code: Int) {
        #expect(verdict(code) == .permanent)
    }

    @Test func retryAfterSecondsIsHonouredOn429And503() {
        #expect(verdict(429, ["retry-after": "120"]) == .retriable(retryAfterMs: 120_000))
        #expect(verdict(503, ["retry-after": "7"]) == .retriable(retryAfterMs: 7_000))
        #expect(verdict(503, ["retry-after": "0"]) == .retriable(retryAfterMs: 0))
        #expect(verdict(429) == .retriable(retryAfterMs: nil))
    }

    @Test(arguments: [500, 502, 504, 404, 408])
    func retryAfterIsIgnoredOnOtherStatuses(_ code: Int) {
        #expect(verdict(code, ["retry-after": "120"]) == .retriable(retryAfterMs: nil))
    }

    @Test func retryAfterOnAPermanentStatusStaysPermanent() {
        #expect(verdict(400, ["retry-after": "120"]) == .permanent)
        #expect(verdict(200, ["retry-after": "120"]) == .delivered)
    }

    @Test func retryAfterHTTPDateIsTheTimeUntilThatDate() {
        let date = "Sun, 06 Nov 1994 08:49:37 GMT"
        #expect(verdict(503, ["retry-after": date], now: 0) == .retriable(retryAfterMs: Self.rfcExampleDate))
        #expect(
            verdict(429, ["retry-after": date], now: Self.rfcExampleDate - 30_000) == .retriable(retryAfterMs: 30_000)
        )
        #expect(RetryAfter.milliseconds(date, now: 0) == Self.rfcExampleDate)
    }

    @Test func retryAfterHTTPDateParsesOtherDates() {
        #expect(RetryAfter.milliseconds("Thu, 01 Jan 1970 00:00:00 GMT", now: 0) == 0)
        #expect(RetryAfter.milliseconds("Thu, 01 Jan 1970 00:00:01 GMT", now: 0) == 1_000)
        // 2000-02-29 (a leap day) 12:00:00 UTC = 951825600.
        #expect(RetryAfter.milliseconds("Tue, 29 Feb 2000 12:00:00 GMT", now: 0) == 951_825_600_000)
        // 2024-03-01 00:00:00 UTC = 1709251200.
        #expect(RetryAfter.milliseconds("Fri, 01 Mar 2024 00:00:00 GMT", now: 0) == 1_709_251_200_000)
    }

    @Test func retryAfterDateInThePastIsZero() {
        let date = "Sun, 06 Nov 1994 08:49:37 GMT"
        #expect(RetryAfter.milliseconds(date, now: Self.rfcExampleDate + 1) == 0)
        #expect(RetryAfter.milliseconds(date, now: 1_700_000_000_000) == 0)
        #expect(verdict(503, ["retry-after": date], now: 1_700_000_000_000) == .retriable(retryAfterMs: 0))
    }

    @Test func retryAfterSecondsToleratesSurroundingSpaceAndIsCappedAtAYear() {
        #expect(RetryAfter.milliseconds(" 5 ", now: 0) == 5_000)
        // 365 days
        #expect(RetryAfter.milliseconds("99999999999", now: 0) == 31_536_000_000)
    }

    @Test(
        arguments: [
            "", "soon", "-5", "1.5", "5s", "0x10",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "Sun, 00 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 08:60:00 GMT",
            "Sun, 06 Nov 1994 08:49 GMT",
            "Sun, 06 Nov 1994 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
        ]
    )
    func unreadableRetryAfterGivesNil(_ value: String) {
        #expect(RetryAfter.milliseconds(value, now: 0) == nil, "'\(value)'")
        #expect(verdict(503, ["retry-after": value]) == .retriable(retryAfterMs: nil))
    }

    /// The sink controls the header: a far-future year must not trap on the day/millisecond arithmetic.
    @Test func retryAfterWithAHugeYearDoesNotCrash() async {
        // Control: the last four-digit year parses in a child process; later years are not HTTP-dates.
        await #expect(processExitsWith: .success) {
            if RetryAfter.milliseconds("Fri, 31 Dec 9999 23:59:59 GMT", now: 0) == nil { exit(1) }
            if RetryAfter.milliseconds("Sun, 06 Nov 99999999 08:49:37 GMT", now: 0) != nil { exit(1) }
        }
        await #expect(processExitsWith: .success) {
            _ = RetryAfter.milliseconds("Sun, 06 Nov 1000000000 08:49:37 GMT", now: 0)
        }
        await #expect(processExitsWith: .success) {
            _ = PushVerdict.classify(
                .status(503, headers: ["retry-after": "Sun, 06 Nov 9999999999999999 08:49:37 GMT"], body: ByteBuffer()),
                now: 0
            )
        }
    }
}
