import CoreMetrics
public import HTTPTypes
import Hummingbird
public import HummingbirdWebSocket
public import Logging
public import NIOCore
public import PlexusBroker
import PlexusModel
import PlexusStorage
import ServiceLifecycle

/// `GET /topics/{topic}/ws?partition=P&offset=O` upgraded to a WebSocket: the partition's events from `offset`
/// (default: the end; `from=earliest` for the start) as text messages, each a structured CloudEvent with
/// `partition` and `offset` members, live as they are appended. The stream ends when the client closes, or
/// on graceful shutdown. A request the stream cannot serve is not upgraded (the HTTP router answers it).
public enum WebSocketStream {
    /// The upgrade decision for the HTTP/1 server (`HTTPServerBuilder.http1WebSocketUpgrade`).
    public static func shouldUpgrade(
        broker: Broker
    )
        -> @Sendable (HTTPRequest, any Channel, Logger) throws -> ShouldUpgradeResult<
            WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>
        >
    {
        { request, _, _ in
            guard let path = request.path, let start = Self.start(path, broker: broker) else { return .dontUpgrade }
            return .upgrade([:]) { inbound, outbound, _ in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    // Reading the inbound side notices the client's close.
                    group.addTask { for try await _ in inbound {} }
                    group.addTask {
                        try await cancelWhenGracefulShutdown {
                            try await stream(start, broker: broker, to: outbound)
                        }
                    }
                    try await group.next()
                    group.cancelAll()
                }
            }
        }
    }

    struct Start: Sendable {
        var topic: TopicName
        var partition: PartitionID
        var log: PartitionLog
        var offset: Int64
    }

    /// Where a `/topics/{topic}/ws` request starts, or nil when it is not one this stream serves.
    static func start(_ path: String, broker: Broker) -> Start? {
        let pieces = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let parts = pieces[0].split(separator: "/")
        guard parts.count == 3, parts[0] == "topics", parts[2] == "ws", let topic = try? TopicName(String(parts[1]))
        else { return nil }
        var query: [String: Substring] = [:]
        for pair in (pieces.count > 1 ? pieces[1] : "").split(separator: "&") {
            let nameValue = pair.split(separator: "=", maxSplits: 1)
            if nameValue.count == 2 { query[String(nameValue[0])] = nameValue[1] }
        }
        guard let partition = Int32(query["partition"].map(String.init) ?? "0"), partition >= 0,
            let log = broker.logs.partition(topic, PartitionID(partition))
        else { return nil }
        let offsets = log.offsets
        let offset: Int64
        if let text = query["offset"] {
            guard let value = Int64(text), value >= offsets.logStart.rawValue, value <= offsets.highWatermark.rawValue
            else { return nil }
            offset = value
        } else {
            let earliest = query["from"].map(String.init) == "earliest"
            offset = earliest ? offsets.logStart.rawValue : offsets.highWatermark.rawValue
        }
        return Start(topic: topic, partition: PartitionID(partition), log: log, offset: offset)
    }

    static func stream(_ start: Start, broker: Broker, to outbound: WebSocketOutboundWriter) async throws {
        var next = start.offset
        while !Task.isCancelled {
            let from = Offset(next)
            guard broker.logs.partition(start.topic, start.partition) === start.log else { return }  // deleted
            let read = try EventRoutes.follow(start.log, from: from)
            for stored in read.records {
                var json = ByteBuffer()
                EventRoutes.writeEvent(stored, topic: start.topic, partition: start.partition, to: &json)
                EventRoutes.countOut(start.topic, bytes: json.readableBytes)
                try await outbound.write(.text(String(buffer: json)))
            }
            let moved = read.next.rawValue > next
            next = max(next, read.next.rawValue)
            if !moved {
                _ = await broker.waitForData([(start.log, Offset(next))], timeout: .seconds(15))
            }
        }
    }
}
