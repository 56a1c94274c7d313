public import Hummingbird
public import Logging
public import PlexusBroker
import PlexusModel
import PlexusStorage

/// The HTTP front end's routes, grouped per resource, on the protocol-neutral broker. Every error is
/// answered as `application/problem+json`.
public struct HTTPFrontEnd: Sendable {
    public let broker: Broker
    public let logger: Logger
    /// The largest request body accepted (413 above it).
    public let maxBodyBytes: Int

    public init(broker: Broker, logger: Logger, maxBodyBytes: Int = 8 << 20) {
        self.broker = broker
        self.logger = logger
        self.maxBodyBytes = maxBodyBytes
    }

    /// Every route of the front end.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ProblemMiddleware())
        router.get("healthz") { _, _ in "ok\n" }
        // Serving requests at all means storage is open and every listener is bound.
        router.get("readyz") { _, _ in "ready\n" }
        AdminRoutes(broker: broker, maxBodyBytes: maxBodyBytes).add(to: router.group("api/v1"))
        EventRoutes(broker: broker, maxBodyBytes: maxBodyBytes).add(to: router)
        return router
    }
}
