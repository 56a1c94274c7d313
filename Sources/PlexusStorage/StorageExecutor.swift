import DequeModule
import Foundation
import NIOConcurrencyHelpers
import PlexusModel

#if canImport(Glibc)
    import Glibc
#endif

/// A fixed pool of threads that run storage's blocking work (writes, fsyncs, reads for recovery, deletes).
///
/// Event loops never block on the disk: they hand work here. Work for one partition is serialized by
/// ``SerialQueue``; different partitions run in parallel up to the thread count.
public final class StorageExecutor: @unchecked Sendable {
    // A mutex and a condition variable that wakes *one* idle thread per job (a broadcast — what
    // Foundation's ConditionLock does — woke every idle thread for every job: a thundering herd of
    // context switches on the produce path). `jobs`, `stopping` and `idle` are guarded by `mutex`.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var jobs: Deque<@Sendable () -> Void> = []
    private var stopping = false
    private var idle = 0
    private let threads: NIOLockedValueBox<[pthread_t]>
    /// Number of worker threads.
    public let threadCount: Int

    /// Starts `threadCount` worker threads.
    public init(threadCount: Int = 8) {
        self.threadCount = max(1, threadCount)
        self.mutex = .allocate(capacity: 1)
        self.condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
        self.threads = NIOLockedValueBox([])
        for _ in 0..<self.threadCount { startThread() }
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    private func startThread() {
        let box = Unmanaged.passRetained(self)
        var thread = pthread_t()
        let rc = pthread_create(
            &thread,
            nil,
            { raw in
                let executor = Unmanaged<StorageExecutor>.fromOpaque(raw!).takeRetainedValue()
                executor.workLoop()
                return nil
            },
            box.toOpaque()
        )
        precondition(rc == 0, "pthread_create failed: \(rc)")
        threads.withLockedValue { $0.append(thread) }
    }

    /// Runs `job` on one of the threads. After ``shutdown()`` the job runs on the caller's thread.
    public func execute(_ job: @escaping @Sendable () -> Void) {
        pthread_mutex_lock(mutex)
        let accepted = !stopping
        if accepted {
            jobs.append(job)
            if idle > 0 { pthread_cond_signal(condition) }
        }
        pthread_mutex_unlock(mutex)
        // After shutdown nothing would run a queued job: run it here, so nothing waits for it forever.
        if !accepted { job() }
    }

    static var isStorageThread: Bool { Thread.current.threadDictionary[threadKey] != nil }
    private static let threadKey = "plexus.storage-thread"

    private func workLoop() {
        Thread.current.threadDictionary[Self.threadKey] = true
        pthread_mutex_lock(mutex)
        while true {
            if let next = jobs.popFirst() {
                pthread_mutex_unlock(mutex)
                next()
                pthread_mutex_lock(mutex)
            } else if stopping {
                break  // stopping and no work left
            } else {
                idle += 1
                pthread_cond_wait(condition, mutex)
                idle -= 1
            }
        }
        pthread_mutex_unlock(mutex)
    }

    /// Runs the queued jobs to completion, then stops and joins the threads.
    public func shutdown() {
        pthread_mutex_lock(mutex)
        stopping = true
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
        let all = threads.withLockedValue { threads in
            defer { threads = [] }
            return threads
        }
        for thread in all { pthread_join(thread, nil) }
    }
}

/// Runs jobs one at a time, in order, on a ``StorageExecutor``: the per-partition writer.
final class SerialQueue: Sendable {
    private struct State {
        var jobs: Deque<@Sendable () -> Void> = []
        var running = false
    }
    private let executor: StorageExecutor
    private let state = NIOLockedValueBox(State())

    init(executor: StorageExecutor) { self.executor = executor }

    func enqueue(_ job: @escaping @Sendable () -> Void) {
        let start = state.withLockedValue { state -> Bool in
            state.jobs.append(job)
            if state.running { return false }
            state.running = true
            return true
        }
        if start { executor.execute { self.drain() } }
    }

    private func drain() {
        while true {
            let job = state.withLockedValue { state -> (@Sendable () -> Void)? in
                if let job = state.jobs.popFirst() { return job }
                state.running = false
                return nil
            }
            guard let job else { return }
            job()
        }
    }

    /// Runs `body` on the queue and waits for it (for cold paths: open, close, admin).
    func sync<T: Sendable>(_ body: @escaping @Sendable () throws -> T) throws(PlexusError) -> T {
        // A storage thread waiting for its own queue would wait forever.
        precondition(!StorageExecutor.isStorageThread, "blocking storage call made from a storage thread")
        let done = ConditionLock(value: 0)
        let result = NIOLockedValueBox<Result<T, PlexusError>?>(nil)
        enqueue {
            let outcome: Result<T, PlexusError>
            do { outcome = .success(try body()) } catch { outcome = .failure(PlexusError.wrapping(error)) }
            result.withLockedValue { $0 = outcome }
            done.lock()
            done.unlock(withValue: 1)
        }
        done.lock(whenValue: 1)
        done.unlock()
        return try result.withLockedValue { $0! }.get()
    }
}
