import Foundation
public import NIOCore

/// What answered one push attempt.
public enum PushResponse: Hashable, Sendable {
    /// The sink answered with a status (headers lower-cased).
    case status(Int, headers: [String: String], body: ByteBuffer)
    /// No answer within the attempt's timeout.
    case timeout
    /// The connection failed (refused, reset, DNS, TLS…); the text says how.
    case connectionFailed(String)
}

/// Sends one HTTP POST for push delivery. The broker knows no HTTP: the HTTP front end provides this.
public protocol PushTransport: Sendable {
    /// POSTs `body` with `headers` to `url` and returns the answer, or `.timeout` after `timeoutMs`.
    /// Never throws: every failure is a ``PushResponse``.
    func post(url: String, headers: [(name: String, value: String)], body: ByteBuffer, timeoutMs: Int64) async
        -> PushResponse
}

/// How one attempt ended and what to do next — pure, so the retry rules are tested without IO.
public enum PushVerdict: Hashable, Sendable {
    /// 2xx: delivered.
    case delivered
    /// Worth another attempt (network error, timeout, 404, 408, 409, 429, 5xx); `retryAfterMs` is the sink's
    /// `Retry-After` (on 429 and 503) when it sent one.
    case retriable(retryAfterMs: Int64?)
    /// The sink refused it for good (other 4xx, 3xx): straight to the dead-letter sink.
    case permanent

    /// Classifies a response. `now` (ms since the epoch) resolves an HTTP-date `Retry-After`.
    public static func classify(_ response: PushResponse, now: Int64) -> PushVerdict {
        switch response {
        case .timeout, .connectionFailed: return .retriable(retryAfterMs: nil)
        case .status(let code, let headers, _):
            switch code {
            case 200..<300: return .delivered
            case 429, 503:
                return .retriable(
                    retryAfterMs: headers["retry-after"].flatMap { RetryAfter.milliseconds($0, now: now) }
                )
            case 404, 408, 409, 500..<600: return .retriable(retryAfterMs: nil)
            default: return .permanent
            }
        }
    }
}

/// The wait before the next attempt: the backoff, or the sink's `Retry-After` (capped by `retryAfterMax`)
/// when that is longer.
public func retryWait(delivery: DeliverySpec, retry: Int, retryAfterMs: Int64?) -> Int64 {
    let backoff = delivery.backoff(beforeRetry: retry)
    guard let retryAfterMs else { return backoff }
    return max(backoff, min(retryAfterMs, delivery.retryAfterMax.milliseconds))
}

/// `Retry-After` values (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
public enum RetryAfter {
    /// The wait in milliseconds, or nil when the value is neither form. A date in the past is 0.
    public static func milliseconds(_ value: String, now: Int64) -> Int64? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            return (Int64(text).map { min($0, 86_400 * 365) } ?? 86_400 * 365) * 1000  // huge values: a year
        }
        guard let date = httpDate(text) else { return nil }
        return max(0, date - now)
    }

    /// Parses an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) to ms since the epoch.
    static func httpDate(_ text: String) -> Int64? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]), let year = Int(parts[3]),
            (1...9999).contains(year)
        else { return nil }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard let monthIndex = months.firstIndex(of: String(parts[2])) else { return nil }
        let clock = parts[4].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3, (1...31).contains(day), clock[0] < 24, clock[1] < 60, clock[2] <= 60 else { return nil }
        // Days since the epoch (civil calendar, proleptic Gregorian).
        let m = monthIndex + 1
        let y = m <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return (Int64(days) * 86_400 + Int64(clock[0] * 3600 + clock[1] * 60 + clock[2])) * 1000
    }
}
