import Hummingbird
import NIOConcurrencyHelpers

/// The routes of a router, filled in once every route is added, for ``MethodNotAllowedMiddleware``.
final class RouteTable: Sendable {
    private let routes = NIOLockedValueBox<[(path: RouterPath, method: HTTPRequest.Method)]>([])

    /// Records every route of `router` (call after the last route is added).
    func fill(from router: Router<some RequestContext>) {
        let all = router.routes.map { (path: $0.path, method: $0.method) }
        routes.withLockedValue { $0 = all }
    }

    /// The methods routed for `path` (a request path, without its query), in a stable order.
    func methods(for path: String) -> [HTTPRequest.Method] {
        let components = path.split(separator: "/", omittingEmptySubsequences: true)
        let matching = routes.withLockedValue { routes in
            routes.filter { route in
                route.path.components.count == components.count
                    && zip(route.path.components, components).allSatisfy { element, component in
                        element ~= component
                    }
            }
        }
        let methods = Set(matching.map(\.method))
        return methods.sorted { $0.rawValue < $1.rawValue }
    }
}

/// A request whose path names a route, but with a method none of that route's handlers takes, gets
/// 405 with `Allow` (RFC 9110 §15.5.6) rather than the router's 404, which is kept for unknown paths.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    let table: RouteTable

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        // A routed request carries its endpoint; only the router's not-found path arrives without one.
        guard context.endpointPath == nil else { return try await next(request, context) }
        let allowed = table.methods(for: request.uri.path)
        guard !allowed.isEmpty, !allowed.contains(request.method) else { return try await next(request, context) }
        let list = allowed.map(\.rawValue).joined(separator: ", ")
        throw Problem(
            status: .methodNotAllowed,
            code: "method-not-allowed",
            detail: "\(request.method.rawValue) is not allowed on \(request.uri.path); allowed: \(list)",
            headers: [.allow: list]
        )
    }
}
