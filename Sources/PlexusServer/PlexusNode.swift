import CoreMetrics
import Foundation
import Hummingbird
import HummingbirdWebSocket
public import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PlexusBroker
import PlexusHTTP
import PlexusKafka
import PlexusModel
import PlexusStorage
import Prometheus
import ServiceLifecycle
import UnixSignals

/// The composition root: opens storage, builds the broker and the listeners, and runs them as one
/// `ServiceGroup` that shuts down gracefully on SIGINT/SIGTERM.
public struct PlexusNode: Sendable {
    public let configuration: ServerConfiguration
    public let logger: Logger

    public init(configuration: ServerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Opens the data directory, prints the ready line (via `ready`) once every listener is bound, and
    /// runs until a signal or an error. Returns after storage is closed (fsynced).
    public func run(ready: @escaping @Sendable (String) -> Void) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        do {
            try await run(on: group, ready: ready)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        // Only now: everything that schedules on the loops (listeners, their quiescing helpers) is gone.
        try await group.shutdownGracefully()
    }

    /// The process's metrics registry: swift-metrics is bootstrapped to it once, before anything records.
    static let metrics: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // The library's default buckets start at 5 ms; a broker's fsyncs and produce round trips live
        // between tens of microseconds and a few milliseconds, so the buckets start at 50 µs.
        factory.defaultDurationHistogramBuckets = [
            .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
            .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
            .seconds(10),
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    private func run(on group: MultiThreadedEventLoopGroup, ready: @escaping @Sendable (String) -> Void) async throws {
        let metrics = Self.metrics
        var storageLogger = logger
        storageLogger[metadataKey: "subsystem"] = "storage"
        let logs = try LogManager(
            dataDirectory: configuration.dataDirectory,
            flushPolicy: configuration.flushPolicy,
            ioThreads: configuration.ioThreads,
            logger: storageLogger
        )
        let offsets: OffsetStore
        do {
            var offsetConfiguration = OffsetStore.Configuration()
            offsetConfiguration.retentionMinutes = configuration.offsetsRetentionMinutes
            offsets = try OffsetStore(
                directory: Broker.offsetStoreDirectory(dataDirectory: configuration.dataDirectory),
                flushPolicy: configuration.flushPolicy,
                configuration: offsetConfiguration,
                logger: storageLogger
            )
        } catch {
            logs.close()
            throw error
        }
        let emptySince = NIOLockedValueBox<[String: Int64]>([:])
        let groups = GroupCoordinator(
            configuration: GroupConfiguration(initialRebalanceDelayMs: configuration.groupInitialRebalanceDelayMs),
            onEvent: { event in
                switch event {
                case .becameEmpty(let groupID):
                    // Offsets of a group without members age from now (Kafka's KIP-211).
                    emptySince.withLockedValue { $0[groupID] = PartitionLog.wallClockMilliseconds() }
                case .deleted(let groupID):
                    // DeleteGroups removes the offsets itself, durably, before answering; the expiry sweep
                    // forgets empty groups without offsets, which must not delete a commit still in flight.
                    emptySince.withLockedValue { $0[groupID] = nil }
                }
            }
        )
        let broker = Broker(
            logs: logs,
            autoCreateTopics: configuration.autoCreateTopics,
            defaultPartitions: configuration.defaultPartitions,
            groups: groups,
            offsets: offsets
        )
        var routingLogger = logger
        routingLogger[metadataKey: "subsystem"] = "routing"
        let transport = HTTPPushTransport(eventLoopGroup: group)
        let router: EventRouter
        do {
            router = try EventRouter(
                broker: broker,
                dataDirectory: configuration.dataDirectory,
                transport: transport,
                logger: routingLogger
            )
            // Definitions from the config file are created, or replaced when they differ (keeping progress).
            for definition in configuration.subscriptions {
                try await router.createSubscription(definition, replace: true)
            }
            for definition in configuration.queues { try await router.createQueue(definition, replace: true) }
        } catch {
            await transport.shutdown()
            offsets.close()
            logs.close()
            throw error
        }
        var listeners: [TCPListener] = []
        do {
            for (name, setting) in configuration.enabledListeners {
                guard case .address(let host, let port) = setting else { continue }
                switch name {
                case "kafka":
                    listeners.append(try await bindKafka(host: host, port: port, broker: broker, group: group))
                default:
                    continue
                }
            }
        } catch {
            router.close()
            await transport.shutdown()
            offsets.close()
            logs.close()
            throw PlexusError(.configuration, "cannot start the listeners", underlying: "\(error)")
        }
        let storage = StorageService(
            broker: broker,
            router: router,
            retentionInterval: .milliseconds(configuration.retentionCheckIntervalMs),
            emptySince: emptySince,
            logger: storageLogger
        )
        // The HTTP listener (Hummingbird) binds when its service starts; the ready line waits for it.
        var httpServices: [ServiceGroupConfiguration.ServiceConfiguration] = []
        let (httpBound, httpBoundContinuation) = AsyncStream<String>.makeStream()
        if case .address(let host, let port) = configuration.listeners["http"] ?? .off {
            var httpLogger = logger
            httpLogger[metadataKey: "subsystem"] = "http"
            let bound = NIOLockedValueBox<[String: String]>([:])
            for listener in listeners {
                let parts = listener.readyDescription.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { bound.withLockedValue { $0[String(parts[0])] = String(parts[1]) } }
            }
            let frontEnd = HTTPFrontEnd(
                broker: broker,
                logger: httpLogger,
                metrics: metrics,
                router: router,
                listeners: { bound.withLockedValue { $0 } }
            )
            let app = Application(
                router: frontEnd.router(),
                server: .http1WebSocketUpgrade(
                    configuration: .init(http1: .init(additionalChannelHandlers: [HTTPConnectionCounter()])),
                    shouldUpgrade: WebSocketStream.shouldUpgrade(broker: broker)
                ),
                configuration: .init(address: .hostname(host, port: port), serverName: nil),
                onServerRunning: { channel in
                    bound.withLockedValue { $0["http"] = "\(host):\(channel.localAddress?.port ?? port)" }
                    httpBoundContinuation.yield("http=\(host):\(channel.localAddress?.port ?? port)")
                    httpBoundContinuation.finish()
                },
                eventLoopGroupProvider: .shared(group),
                logger: httpLogger
            )
            httpServices.append(.init(service: app))
        } else {
            httpBoundContinuation.finish()
        }
        let listenerLine = listeners.map(\.readyDescription).joined(separator: " ")
        // ServiceGroup shuts services down in reverse order: listeners drain first, storage closes last.
        let services = ServiceGroup(
            configuration: .init(
                // Stopped first (the list stops in reverse): joins and syncs waiting for a rebalance are answered
                // at once, so the listeners can drain.
                services: [
                    .init(service: storage), .init(service: RoutingService(router: router, transport: transport)),
                ]
                    + listeners.map { .init(service: $0) } + httpServices
                    + [.init(service: GroupShutdownService(groups: broker.groups))],
                logger: logger
            )
        )
        // Trap the signals before announcing readiness, so a signal sent right after the ready line
        // always means a graceful shutdown.
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        logger.info(
            "node started",
            metadata: [
                "dataDir": "\(configuration.dataDirectory)", "flush": "\(configuration.flushPolicy)",
                "topics": "\(logs.topics().count)",
            ]
        )
        enum Finished { case services, signal, httpBound(String?) }
        try await withThrowingTaskGroup(of: Finished.self) { tasks in
            tasks.addTask {
                try await services.run()
                return .services
            }
            tasks.addTask {
                for await signal in signals {
                    logger.info("shutting down gracefully", metadata: ["signal": "\(signal)"])
                    await services.triggerGracefulShutdown()
                    break
                }
                return .signal
            }
            tasks.addTask {
                var bound: String?
                for await address in httpBound { bound = address }
                return .httpBound(bound)
            }
            // Announce readiness once every listener is bound; then wait for the services to finish (after a
            // signal, once their graceful shutdown is done).
            while let finished = try await tasks.next() {
                switch finished {
                case .services: break
                case .signal: continue
                case .httpBound(let http):
                    let all = ([listenerLine] + (http.map { [$0] } ?? [])).filter { !$0.isEmpty }.joined(separator: " ")
                    ready(all.isEmpty ? "plexus ready" : "plexus ready \(all)")
                    continue
                }
                break
            }
            tasks.cancelAll()
        }
    }
}

extension PlexusNode {
    func bindKafka(host: String, port: Int, broker: Broker, group: any EventLoopGroup) async throws -> TCPListener {
        // The advertised port is only known after binding (port 0), so the processor is built per
        // connection from a box filled right after the bind.
        let box = NIOLockedValueBox<KafkaRequestProcessor?>(nil)
        var kafkaLogger = logger
        kafkaLogger[metadataKey: "subsystem"] = "kafka"
        let listener = try await TCPListener.bind(name: "kafka", host: host, port: port, group: group) { channel in
            guard let processor = box.withLockedValue({ $0 }) else {
                return channel.close()
            }
            return KafkaFrontEnd.configure(channel, processor: processor)
        }
        let advertisedHost = configuration.advertisedHost ?? (["0.0.0.0", "::"].contains(host) ? "127.0.0.1" : host)
        let frontEnd = KafkaFrontEndConfiguration(
            advertisedHost: advertisedHost,
            advertisedPort: Int32(listener.localAddress.port ?? port),
            clusterId: broker.logs.clusterID
        )
        box.withLockedValue { $0 = KafkaRequestProcessor(broker: broker, configuration: frontEnd, logger: kafkaLogger) }
        return listener
    }
}

/// Owns the storage for the node's lifetime: runs retention periodically and closes (fsyncs) every log
/// on graceful shutdown.
struct StorageService: Service {
    let broker: Broker
    let router: EventRouter
    let retentionInterval: Duration
    /// When each consumer group last lost its last member (for offset expiry).
    let emptySince: NIOLockedValueBox<[String: Int64]>
    let logger: Logger

    func run() async throws {
        defer {
            broker.groups.shutdown()
            broker.offsets?.close()
            broker.logs.close()
            logger.info("storage closed")
        }
        // The group coordinator's timers (session and rebalance timeouts) run for the node's lifetime.
        let timers = Task { await broker.groups.run() }
        defer { timers.cancel() }
        var lastExpiry = ContinuousClock.now
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: retentionInterval) }
            } catch {
                break
            }
            if Task.isShuttingDownGracefully { break }
            let router = self.router
            let deleted = await broker.enforceRetention { router.retentionFloor($0, $1) }
            if deleted > 0 { logger.info("retention deleted segments", metadata: ["segments": "\(deleted)"]) }
            // Offsets of groups without members expire after offsets.retention.minutes (checked every
            // 10 minutes, as Kafka does).
            if ContinuousClock.now - lastExpiry >= .seconds(600), let offsets = broker.offsets {
                lastExpiry = ContinuousClock.now
                let groups = broker.groups
                let since = emptySince
                _ = try? await offsets.expire(now: PartitionLog.wallClockMilliseconds()) { group in
                    guard let described = groups.describeGroup(group) else { return .unknown }
                    guard described.members.isEmpty else { return .active }
                    // Known empty since a moment: retention counts from it; otherwise (emptied before this
                    // process started) from each offset's commit.
                    return since.withLockedValue { $0[group] }.map { .emptySince($0) } ?? .unknown
                }
                // Groups without members and without offsets are forgotten (as Kafka's cleanup does), so
                // abandoned groups do not accumulate in memory.
                let forgotten = groups.listGroups()
                    .filter { $0.state == .empty && offsets.fetch(group: $0.groupID).isEmpty }
                    .map(\.groupID)
                if !forgotten.isEmpty { _ = groups.deleteGroups(forgotten) }
            }
        }
    }
}

/// Runs push subscriptions, queue lease expiry and request/reply followers; on graceful shutdown stops
/// deliveries in flight (unsettled events are delivered again after a restart) and closes the progress
/// store before storage closes.
struct RoutingService: Service {
    let router: EventRouter
    let transport: HTTPPushTransport

    func run() async throws {
        let running = Task { await router.run() }
        await withTaskCancellationHandler {
            try? await gracefulShutdown()
        } onCancel: {
            running.cancel()
        }
        running.cancel()
        await running.value
        router.close()
        await transport.shutdown()
    }
}

/// Answers every join and sync still waiting for a rebalance (COORDINATOR_NOT_AVAILABLE) when graceful
/// shutdown begins, so connections holding one can drain instead of waiting out a session timeout.
struct GroupShutdownService: Service {
    let groups: GroupCoordinator

    func run() async throws {
        try? await gracefulShutdown()
        groups.shutdown()
    }
}
