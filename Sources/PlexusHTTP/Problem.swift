import Foundation
public import Hummingbird
import Logging
import NIOCore
public import PlexusModel

/// An error answered as `application/problem+json` (RFC 9457): `type` names the Plexus error code,
/// `status` is its HTTP status, `detail` says what was wrong.
public struct Problem: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var detail: String
    /// Extra headers (e.g. `Retry-After` on 429/503).
    public var headers: HTTPFields

    public init(status: HTTPResponse.Status, code: String, detail: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers
    }

    /// The problem for a broker error: its catalog's HTTP status; retriable ones say when to retry.
    public init(_ error: PlexusError) {
        let status = HTTPResponse.Status(code: error.code.httpStatus)
        var headers: HTTPFields = [:]
        // Overload and unavailability say when to come back.
        if status == .tooManyRequests || status == .serviceUnavailable { headers[.retryAfter] = "1" }
        self.init(
            status: status,
            code: error.code.name,
            detail: error.message,
            headers: headers
        )
    }

    /// The standard reason phrase of a status (a `Status(code:)` carries none).
    static func title(_ status: HTTPResponse.Status) -> String {
        if !status.reasonPhrase.isEmpty { return status.reasonPhrase }
        let known: [Int: String] = [
            400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
            409: "Conflict", 413: "Content Too Large", 415: "Unsupported Media Type", 416: "Range Not Satisfiable",
            422: "Unprocessable Content", 429: "Too Many Requests", 500: "Internal Server Error",
            501: "Not Implemented", 503: "Service Unavailable", 504: "Gateway Timeout",
        ]
        return known[status.code] ?? "Error"
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body: [String: Any] = [
            "type": "urn:plexus:problem:\(code)",
            "title": Self.title(status),
            "status": status.code,
            "detail": detail,
        ]
        let data = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Turns every error a route throws into a problem response: broker errors with their status, Hummingbird's
/// own HTTP errors (404, 413, …) with theirs, anything else as 500 without internals.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            throw problem
        } catch let error as PlexusError {
            throw Problem(error)
        } catch let error as HTTPError {
            throw Problem(status: error.status, code: "http", detail: error.body ?? error.status.reasonPhrase)
        } catch let error as any HTTPResponseError {
            throw Problem(status: error.status, code: "http", detail: error.status.reasonPhrase)
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)"])
            throw Problem(status: .internalServerError, code: "unknown", detail: "internal error")
        }
    }
}
