import Foundation
import Logging
import NIOConcurrencyHelpers
import PlexusModel
import PlexusStorage

/// Requests waiting for their replies, and one follower per reply stream that hands each reply to the
/// request with the same `correlationid`. A follower starts at the stream's end when the first request
/// registers (before the request is published, so no reply can be missed) and stops a minute after the
/// last waiter is gone.
final class ReplyWaiters: Sendable {
    struct Waiter: Hashable, Sendable {
        let id: UInt64
        let correlation: String
        let replyTopic: TopicName
    }

    private struct State {
        var nextID: UInt64 = 0
        var waiting: [TopicName: [String: [UInt64: CheckedContinuation<CloudEvent?, Never>?]]] = [:]
        /// Replies that arrived before their waiter suspended.
        var early: [UInt64: CloudEvent] = [:]
        var followers: [TopicName: (id: UInt64, task: Task<Void, Never>, idleSince: ContinuousClock.Instant?)] = [:]
        var registered = 0
    }

    /// Waiting requests at most; more are refused (busy).
    static let maxWaiters = 10_000

    private let broker: Broker
    private let logger: Logger
    private let state = NIOLockedValueBox(State())

    init(broker: Broker, logger: Logger) {
        self.broker = broker
        self.logger = logger
    }

    /// Registers interest in the reply with `correlation` on `replyTopic`, creating the stream and starting
    /// its follower when needed.
    func register(correlation: String, replyTopic: TopicName) async throws(PlexusError) -> Waiter {
        guard let topic = try await broker.topic(replyTopic, create: true) else {
            throw PlexusError(.unknownTopicOrPartition, "reply stream '\(replyTopic)' does not exist")
        }
        // Where the follower starts: the current end of every partition.
        var starts: [Int32: Int64] = [:]
        for index in 0..<topic.partitionCount {
            starts[index] = broker.logs.partition(replyTopic, PartitionID(index))?.offsets.highWatermark.rawValue ?? 0
        }
        let frozen = starts
        let registered = state.withLockedValue { state -> Waiter? in
            guard state.registered < Self.maxWaiters else { return nil }
            state.nextID += 1
            let waiter = Waiter(id: state.nextID, correlation: correlation, replyTopic: replyTopic)
            state.waiting[replyTopic, default: [:]][correlation, default: [:]][waiter.id] = .some(nil)
            state.registered += 1
            if state.followers[replyTopic] == nil {
                let id = state.nextID
                let task = Task { [self] in
                    await self.follow(replyTopic, from: frozen)
                    // Ended (the stream was deleted, or stopped): the next request starts a new follower.
                    self.state.withLockedValue { state in
                        if state.followers[replyTopic]?.id == id { state.followers[replyTopic] = nil }
                    }
                }
                state.followers[replyTopic] = (id, task, nil)
            } else {
                state.followers[replyTopic]!.idleSince = nil
            }
            return waiter
        }
        guard let registered else {
            throw PlexusError(.busy, "\(Self.maxWaiters) requests are waiting for replies")
        }
        return registered
    }

    /// Waits for the reply, up to `timeoutMs`.
    func wait(_ waiter: Waiter, timeoutMs: Int64) async throws(PlexusError) -> CloudEvent {
        let timer = Task {
            try? await Task.sleep(for: .milliseconds(timeoutMs))
            self.resolve(waiter, with: nil)
        }
        defer { timer.cancel() }
        let reply = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<CloudEvent?, Never>) in
                let early = state.withLockedValue { state -> CloudEvent?? in
                    if let event = state.early.removeValue(forKey: waiter.id) { return .some(event) }
                    guard state.waiting[waiter.replyTopic]?[waiter.correlation]?[waiter.id] != nil else {
                        return .some(nil)  // already resolved (timed out)
                    }
                    state.waiting[waiter.replyTopic]![waiter.correlation]![waiter.id] = continuation
                    return nil
                }
                if let early { continuation.resume(returning: early) }
            }
        } onCancel: {
            self.resolve(waiter, with: nil)
        }
        guard let reply else {
            if Task.isCancelled {
                throw PlexusError(.shuttingDown, "the wait for a reply was cut short (shutting down)")
            }
            throw PlexusError(
                .replyTimeout,
                "no reply with correlationid '\(waiter.correlation)' on '\(waiter.replyTopic)' within \(timeoutMs) ms"
            )
        }
        return reply
    }

    /// Forgets a waiter whose request could not be published.
    func cancel(_ waiter: Waiter) { resolve(waiter, with: nil) }

    private func resolve(_ waiter: Waiter, with event: CloudEvent?) {
        let continuation = state.withLockedValue { state -> CheckedContinuation<CloudEvent?, Never>? in
            guard let slot = state.waiting[waiter.replyTopic]?[waiter.correlation]?.removeValue(forKey: waiter.id)
            else {
                return nil
            }
            state.registered -= 1
            if state.waiting[waiter.replyTopic]![waiter.correlation]!.isEmpty {
                state.waiting[waiter.replyTopic]![waiter.correlation] = nil
            }
            if state.waiting[waiter.replyTopic]!.isEmpty {
                state.waiting[waiter.replyTopic] = nil
                state.followers[waiter.replyTopic]?.idleSince = .now
            }
            if slot == nil, let event { state.early[waiter.id] = event }
            return slot
        }
        continuation?.resume(returning: event)
    }

    private func deliver(_ event: CloudEvent, on topic: TopicName) {
        guard case .string(let correlation)? = event.extensions[RequestReply.correlationAttribute] else { return }
        let waiters = state.withLockedValue { state in
            state.waiting[topic]?[correlation].map { Array($0.keys) } ?? []
        }
        for id in waiters { resolve(Waiter(id: id, correlation: correlation, replyTopic: topic), with: event) }
    }

    /// Follows every partition of a reply stream until cancelled or the stream is deleted; partitions added
    /// later are followed from their beginning within a second of their creation.
    private func follow(_ topic: TopicName, from starts: [Int32: Int64]) async {
        await withTaskGroup(of: Void.self) { tasks in
            for (index, start) in starts {
                tasks.addTask { [self] in await followPartition(topic, index, from: start) }
            }
            var known = Int32(starts.count)
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                guard let metadata = broker.logs.topic(topic) else { break }  // deleted: the follower ends
                while known < metadata.partitionCount {
                    let index = known
                    tasks.addTask { [self] in await followPartition(topic, index, from: 0) }
                    known += 1
                }
            }
            tasks.cancelAll()
        }
    }

    /// Hands every reply in one partition to its waiter, from `start` on, until cancelled or the partition is gone.
    private func followPartition(_ topic: TopicName, _ index: Int32, from start: Int64) async {
        var next = start
        while !Task.isCancelled {
            guard let log = broker.logs.partition(topic, PartitionID(index)) else { return }
            let read: (records: [StoredRecord], next: Offset, skipped: [PartitionLog.UndecodableBatch])
            do {
                read = try log.readRecordsSkipping(from: Offset(next), maxBytes: 256 << 10)
            } catch let error as PlexusError where error.code == .offsetOutOfRange {
                let offsets = log.offsets
                next =
                    next > offsets.highWatermark.rawValue
                    ? offsets.highWatermark.rawValue : offsets.logStart.rawValue
                continue
            } catch {
                try? await Task.sleep(for: .seconds(1))
                continue
            }
            for stored in read.records where stored.offset.rawValue >= next {
                let event = CloudEvent(
                    presenting: stored.record,
                    topic: topic,
                    partition: PartitionID(index),
                    offset: stored.offset,
                    timestamp: stored.timestamp
                )
                deliver(event, on: topic)
            }
            if read.next.rawValue > next {
                next = read.next.rawValue
            } else {
                _ = await broker.waitForData([(log, Offset(next))], timeout: .seconds(5))
            }
        }
    }

    /// Stops followers idle for a minute, and drops replies nobody collected.
    func sweep() {
        let stale = state.withLockedValue { state -> [Task<Void, Never>] in
            var stopped: [Task<Void, Never>] = []
            for (topic, follower) in state.followers {
                if let idle = follower.idleSince, ContinuousClock.now - idle > .seconds(60) {
                    stopped.append(follower.task)
                    state.followers[topic] = nil
                }
            }
            if state.early.count > 1000 { state.early.removeAll() }
            return stopped
        }
        for task in stale { task.cancel() }
    }

    /// Stops every follower and answers every waiter with a timeout.
    func stop() {
        let (tasks, waiters) = state.withLockedValue { state in
            let tasks = state.followers.values.map(\.task)
            state.followers = [:]
            var waiters: [Waiter] = []
            for (topic, byCorrelation) in state.waiting {
                for (correlation, ids) in byCorrelation {
                    for id in ids.keys { waiters.append(Waiter(id: id, correlation: correlation, replyTopic: topic)) }
                }
            }
            return (tasks, waiters)
        }
        for task in tasks { task.cancel() }
        for waiter in waiters { resolve(waiter, with: nil) }
    }
}
