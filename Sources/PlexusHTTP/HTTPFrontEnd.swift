public import Hummingbird
public import Logging
import NIOCore
public import PlexusBroker
import PlexusModel
import PlexusStorage
public import Prometheus

/// The HTTP front end's routes, grouped per resource, on the protocol-neutral broker. Every error is
/// answered as `application/problem+json`.
public struct HTTPFrontEnd: Sendable {
    public let broker: Broker
    public let logger: Logger
    /// The largest request body accepted (413 above it).
    public let maxBodyBytes: Int
    /// This node's listeners by protocol (`kafka` → `HOST:PORT`), shown by `/api/v1/cluster`.
    public let listeners: @Sendable () -> [String: String]
    /// Where `/metrics` reads from (the registry behind the process's swift-metrics factory); nil: 404.
    public let metrics: PrometheusCollectorRegistry?
    /// Subscriptions, queues and request/reply; nil: those routes are absent.
    public let eventRouter: EventRouter?

    public init(
        broker: Broker,
        logger: Logger,
        maxBodyBytes: Int = 8 << 20,
        metrics: PrometheusCollectorRegistry? = nil,
        router: EventRouter? = nil,
        listeners: @escaping @Sendable () -> [String: String] = { [:] }
    ) {
        self.eventRouter = router
        self.listeners = listeners
        self.broker = broker
        self.logger = logger
        self.maxBodyBytes = maxBodyBytes
        self.metrics = metrics
    }

    /// Every route of the front end.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        let table = RouteTable()
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: MethodNotAllowedMiddleware(table: table))
        router.get("healthz") { _, _ in "ok\n" }
        // Serving requests at all means storage is open and every listener is bound.
        router.get("readyz") { _, _ in "ready\n" }
        if let metrics {
            let broker = self.broker
            let snapshot = MetricsSnapshot(registry: metrics)
            router.get("metrics") { _, _ in
                snapshot.update(from: broker)
                return Response(
                    status: .ok,
                    headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(bytes: metrics.emitToBuffer()))
                )
            }
        }
        AdminRoutes(broker: broker, maxBodyBytes: maxBodyBytes, listeners: listeners).add(to: router.group("api/v1"))
        EventRoutes(broker: broker, maxBodyBytes: maxBodyBytes).add(to: router)
        if let eventRouter {
            let routing = RoutingRoutes(router: eventRouter, maxBodyBytes: maxBodyBytes)
            routing.addAdmin(to: router.group("api/v1"))
            routing.add(to: router)
        }
        table.fill(from: router)
        return router
    }

    /// The benchmark's ceiling: the same HTTP stack and middleware answering every event POST with a constant
    /// 202 after reading the body, storing nothing (`plexus bench http-ceiling`).
    public static func ceilingRouter(maxBodyBytes: Int = 8 << 20) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: MetricsMiddleware())
        router.post("topics/{topic}/events") { request, _ -> Response in
            var request = request
            _ = try await request.collectBody(upTo: maxBodyBytes)
            return Response(
                status: .accepted,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"partition":0,"offset":0}"#))
            )
        }
        return router
    }
}
