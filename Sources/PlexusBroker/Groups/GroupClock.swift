/// The time source of ``GroupCoordinator``: monotonic milliseconds and a sleep until one of them.
///
/// Inject a manual clock in tests to drive session and rebalance timeouts without waiting.
public protocol GroupClock: Sendable {
    /// The current time in milliseconds; never decreases.
    var nowMilliseconds: Int64 { get }

    /// Returns once ``nowMilliseconds`` has reached `deadline`; throws `CancellationError` when the task
    /// is cancelled first.
    func sleep(untilMilliseconds deadline: Int64) async throws
}

/// The real clock: `ContinuousClock` milliseconds since this value was created.
public struct SystemGroupClock: GroupClock {
    private let origin: ContinuousClock.Instant

    /// A clock starting at 0 now.
    public init() { origin = ContinuousClock.now }

    public var nowMilliseconds: Int64 {
        let elapsed = ContinuousClock.now - origin
        let (seconds, attoseconds) = elapsed.components
        return seconds * 1_000 + attoseconds / 1_000_000_000_000_000
    }

    public func sleep(untilMilliseconds deadline: Int64) async throws {
        try await ContinuousClock().sleep(until: origin.advanced(by: .milliseconds(deadline)), tolerance: nil)
    }
}
