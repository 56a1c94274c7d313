import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PlexusBroker
import PlexusModel
import PlexusStorage
import ServiceLifecycle

/// Subscriptions and queues (`/api/v1/subscriptions`, `/api/v1/queues`), the queue consumer API
/// (`POST /queues/{queue}/receive|ack|release|reject`) and request/reply (`POST /topics/{topic}/requests`).
struct RoutingRoutes: Sendable {
    let router: EventRouter
    let maxBodyBytes: Int

    /// The most records one receive hands out, and receipts one settle takes.
    static let maxReceive = 1000
    /// The longest wait a receive or a request may ask for.
    static let maxWaitMs: Int64 = 300_000

    func addAdmin(to group: RouterGroup<BasicRequestContext>) {
        group.get("subscriptions") { _, _ in
            json(.ok, Listing(subscriptions: router.subscriptions(), queues: nil))
        }
        group.post("subscriptions") { request, context in
            let definition = try await decode(SubscriptionDefinition.self, request)
            try await router.createSubscription(definition)
            return json(.created, definition, location: "/api/v1/subscriptions/\(definition.name)")
        }
        group.get("subscriptions/{name}") { _, context in
            let status = try router.status(ofSubscription: try context.parameters.require("name"))
            return json(.ok, SubscriptionView(status: status))
        }
        group.put("subscriptions/{name}") { request, context in
            let definition = try await decode(SubscriptionDefinition.self, request)
            try requireSameName(definition.name, context)
            let created = try await router.createSubscription(definition, replace: true)
            return json(created ? .created : .ok, definition)
        }
        group.delete("subscriptions/{name}") { _, context -> HTTPResponse.Status in
            try await router.deleteSubscription(try context.parameters.require("name"))
            return .noContent
        }
        group.get("queues") { _, _ in
            json(.ok, Listing(subscriptions: nil, queues: router.queues()))
        }
        group.post("queues") { request, context in
            let definition = try await decode(QueueDefinition.self, request)
            try await router.createQueue(definition)
            return json(.created, definition, location: "/api/v1/queues/\(definition.name)")
        }
        group.get("queues/{name}") { _, context in
            let status = try await router.status(ofQueue: try context.parameters.require("name"))
            return json(.ok, QueueView(status: status))
        }
        group.put("queues/{name}") { request, context in
            let definition = try await decode(QueueDefinition.self, request)
            try requireSameName(definition.name, context)
            let created = try await router.createQueue(definition, replace: true)
            return json(created ? .created : .ok, definition)
        }
        group.delete("queues/{name}") { _, context -> HTTPResponse.Status in
            try await router.deleteQueue(try context.parameters.require("name"))
            return .noContent
        }
    }

    func add(to routes: Router<BasicRequestContext>) {
        routes.post("queues/{queue}/receive") { request, context in try await receive(request, context) }
        routes.post("queues/{queue}/ack") { request, context in try await settle(request, context, .acknowledge) }
        routes.post("queues/{queue}/release") { request, context in try await settle(request, context, nil) }
        routes.post("queues/{queue}/reject") { request, context in try await settle(request, context, .reject) }
        routes.post("topics/{topic}/requests") { request, context in try await requestReply(request, context) }
    }

    // MARK: Queue consumers

    private func receive(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let name = try context.parameters.require("queue")
        let query = request.uri.queryParameters
        let max = try EventRoutes.integer(query, "max", default: 1, in: 1...Int64(Self.maxReceive))
        let wait = try EventRoutes.integer(query, "timeout_ms", default: 0, in: 0...Self.maxWaitMs)
        let lease: Int64? =
            query["lease_ms"] == nil
            ? nil : try EventRoutes.integer(query, "lease_ms", default: 0, in: 100...43_200_000)
        // Graceful shutdown ends the wait (with what there is), so the server can drain.
        let messages = try await cancelWhenGracefulShutdown {
            try await router.receive(queue: name, max: Int(max), waitMs: wait, leaseMs: lease)
        }
        var body = ByteBuffer()
        body.writeString("{\"messages\":[")
        for (i, message) in messages.enumerated() {
            if i > 0 { body.writeString(",") }
            let expires = CloudEventTime(Timestamp(milliseconds: message.leaseExpiresAt))?.text ?? ""
            body.writeString(
                "{\"receipt\":\"\(message.receipt)\",\"partition\":\(message.partition),\"offset\":\(message.offset),"
                    + "\"deliveryCount\":\(message.deliveryCount),\"leaseExpiresAt\":\"\(expires)\",\"event\":"
            )
            CloudEventJSONFormat.encode(message.event, to: &body)
            body.writeString("}")
        }
        body.writeString("]}")
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
    }

    struct SettleBody: Decodable {
        var receipts: [String]
        var delay_ms: Int64?
    }

    private func settle(_ request: Request, _ context: BasicRequestContext, _ action: QueueAction?) async throws
        -> Response
    {
        let name = try context.parameters.require("queue")
        var request = request
        let bytes = try await request.collectBody(upTo: maxBodyBytes)
        let body: SettleBody
        do { body = try JSONDecoder().decode(SettleBody.self, from: Data(bytes.readableBytesView)) } catch {
            throw Problem(
                status: .badRequest,
                code: "invalid-request",
                detail: "the body must be {\"receipts\": [\"…\"]} (release also takes \"delay_ms\")"
            )
        }
        guard body.receipts.count <= Self.maxReceive else {
            throw Problem(
                status: .badRequest,
                code: "invalid-request",
                detail: "at most \(Self.maxReceive) receipts per call"
            )
        }
        let delay = body.delay_ms ?? 0
        guard action != nil || (0...86_400_000).contains(delay) else {
            throw Problem(status: .badRequest, code: "invalid-request", detail: "delay_ms must be 0…86400000")
        }
        let results = try await router.settle(
            queue: name,
            receipts: body.receipts,
            action: action ?? .release(delayMs: delay)
        )
        var out = ByteBuffer()
        out.writeString("{\"results\":[")
        for (i, (receipt, status)) in zip(body.receipts, results).enumerated() {
            if i > 0 { out.writeString(",") }
            out.writeString("{\"receipt\":")
            out.writeBytes(RoutingJSON.encode(receipt))
            out.writeString(",\"status\":\"\(status.rawValue)\"}")
        }
        out.writeString("]}")
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: out))
    }

    // MARK: Request/reply

    private func requestReply(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let topic = try TopicName(try context.parameters.require("topic"))
        let timeout = try EventRoutes.integer(
            request.uri.queryParameters,
            "timeout_ms",
            default: 30_000,
            in: 1...Self.maxWaitMs
        )
        let events = try await EventRoutes.events(in: request, maxBodyBytes: maxBodyBytes)
        guard events.count == 1 else {
            throw Problem(status: .badRequest, code: "invalid-cloudevent", detail: "a request is exactly one event")
        }
        // Graceful shutdown ends the wait (503 shutting-down), so the server can drain.
        let reply = try await cancelWhenGracefulShutdown {
            try await router.request(events[0], topic: topic, timeoutMs: timeout)
        }
        let (replyHeaders, replyBody) = CloudEventHTTPBinding.encodeBinary(reply)
        var fields = HTTPFields()
        for (name, value) in replyHeaders {
            if let field = HTTPField.Name(name) { fields.append(HTTPField(name: field, value: value)) }
        }
        return Response(status: .ok, headers: fields, body: .init(byteBuffer: replyBody))
    }

    // MARK: Helpers

    private func decode<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        var request = request
        let body = try await request.collectBody(upTo: maxBodyBytes)
        return try RoutingJSON.decode(T.self, from: Array(body.readableBytesView))
    }

    private func requireSameName(_ name: String, _ context: BasicRequestContext) throws {
        let path = try context.parameters.require("name")
        guard path == name else {
            throw PlexusError(.invalidDefinition, "the body names '\(name)' but the path '\(path)'")
        }
    }

    private func json<T: Encodable>(_ status: HTTPResponse.Status, _ value: T, location: String? = nil) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let location { headers[.location] = location }
        return Response(
            status: status,
            headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: RoutingJSON.encode(value)))
        )
    }
}

private struct Listing: Encodable {
    var subscriptions: [SubscriptionDefinition]?
    var queues: [QueueDefinition]?
}

/// A subscription's definition with a `status` member.
private struct SubscriptionView: Encodable {
    struct Partition: Encodable {
        var topic: String
        var partition: Int32
        var next: Int64
        var end: Int64
        var lag: Int64
    }
    struct Status: Encodable {
        var partitions: [Partition]
        var counters: SubscriptionCounters.Snapshot
    }
    let status: SubscriptionStatus

    func encode(to encoder: any Encoder) throws {
        try status.definition.encode(to: encoder)
        var container = encoder.container(keyedBy: NamedCodingKey.self)
        let partitions = status.partitions.map {
            Partition(
                topic: $0.topic.rawValue,
                partition: $0.partition.rawValue,
                next: $0.next,
                end: $0.end,
                lag: $0.end >= 0 ? max(0, $0.end - $0.next) : -1
            )
        }
        try container.encode(
            Status(partitions: partitions, counters: status.counters),
            forKey: NamedCodingKey("status")
        )
    }
}

/// A queue's definition with a `status` member.
private struct QueueView: Encodable {
    struct Partition: Encodable {
        var partition: Int32
        var settled: Int64
        var end: Int64
        var leased: Int
        var waiting: Int
    }
    struct Status: Encodable {
        var partitions: [Partition]
    }
    let status: QueueStatus

    func encode(to encoder: any Encoder) throws {
        try status.definition.encode(to: encoder)
        var container = encoder.container(keyedBy: NamedCodingKey.self)
        let partitions = status.partitions.map {
            Partition(partition: $0.partition, settled: $0.settled, end: $0.end, leased: $0.leased, waiting: $0.waiting)
        }
        try container.encode(Status(partitions: partitions), forKey: NamedCodingKey("status"))
    }
}
