import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PlexusBroker
import PlexusHTTP
import PlexusStorage
import PlexusTestSupport
import Testing

/// The OpenAPI document at `/api/v1/openapi.json`: served as JSON, describing exactly the routes the router has
/// (every method of every path, both ways), with every `$ref` resolving.
@Suite struct OpenAPIDocumentTests {
    /// The front end's routes (`METHOD /path`, read from its router) and the document it serves (checked to be
    /// JSON), on an empty broker with an event router (as `plexus serve` gives it), so the routing routes are there.
    static func served() async throws -> (routes: Set<String>, document: [String: Any]) {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let logger = Logger(label: "test")
        let logs = try LogManager(dataDirectory: dir.path, ioThreads: 1, logger: logger)
        defer { logs.close() }
        let broker = Broker(logs: logs)
        let eventRouter = try EventRouter(broker: broker, dataDirectory: dir.path, transport: nil, logger: logger)
        defer { eventRouter.close() }
        let router = HTTPFrontEnd(broker: broker, logger: logger, router: eventRouter).router()
        let routes = Set(router.routes.map { "\($0.method.rawValue) \($0.path)" })
        let body = try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/api/v1/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                return Data(response.body.readableBytesView)
            }
        }
        let document = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        return (routes, document)
    }

    /// `METHOD /path` of every operation in a document, e.g. `GET /api/v1/topics/{topic}`.
    static func operations(_ document: [String: Any]) throws -> Set<String> {
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
        return Set(
            paths.flatMap { path, item in
                item.keys.filter(methods.contains).map { "\($0.uppercased()) \(path)" }
            }
        )
    }

    @Test func theDocumentIsServedAsJSONAndDescribesEveryRouteAndNoOther() async throws {
        let (routes, document) = try await Self.served()
        do {
            #expect((document["openapi"] as? String)?.hasPrefix("3.") == true)
            // A floor that catches an introspection finding nothing.
            #expect(
                routes.isSuperset(of: [
                    "GET /healthz", "GET /readyz", "GET /api/v1/openapi.json", "GET /api/v1/topics/{topic}",
                    "POST /topics/{topic}/events", "GET /topics/{topic}/stream", "GET /api/v1/subscriptions/{name}",
                    "POST /queues/{queue}/receive", "POST /topics/{topic}/requests",
                ])
            )
            let documented = try Self.operations(document)
            #expect(routes.subtracting(documented).sorted() == [], "routes missing from the document")
            // `/metrics` is routed only when the front end has a metrics registry (as `plexus serve` gives it);
            // the WebSocket stream is the server's upgrade handler (`WebSocketStream`), not a route.
            let optional: Set = ["GET /metrics", "GET /topics/{topic}/ws"]
            #expect(documented.subtracting(routes).subtracting(optional).sorted() == [], "operations without a route")
        }
    }

    @Test func everyReferenceInTheDocumentResolves() async throws {
        let (_, document) = try await Self.served()
        do {
            var references: [String] = []
            func collect(_ value: Any) {
                if let object = value as? [String: Any] {
                    if let reference = object["$ref"] as? String { references.append(reference) }
                    object.values.forEach(collect)
                } else if let array = value as? [Any] {
                    array.forEach(collect)
                }
            }
            collect(document)
            #expect(!references.isEmpty)
            for reference in references {
                #expect(reference.hasPrefix("#/"), "\(reference) is not local")
                var node: Any? = document
                for key in reference.dropFirst(2).split(separator: "/") {
                    node = (node as? [String: Any])?[String(key)]
                }
                #expect(node is [String: Any], "\(reference) does not resolve")
            }
        }
    }
}
