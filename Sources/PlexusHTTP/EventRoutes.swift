import CoreMetrics
import Foundation
import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore
import PlexusBroker
import PlexusModel
import PlexusStorage
import ServiceLifecycle

/// CloudEvents in and out of topics: `POST /topics/{topic}/events` (binary, structured or batch mode; stored
/// with the CloudEvents Kafka binding in binary mode), `GET /topics/{topic}/events` (long poll) and
/// `GET /topics/{topic}/stream` (Server-Sent Events, resumable with `Last-Event-ID`).
struct EventRoutes: Sendable {
    let broker: Broker
    let maxBodyBytes: Int

    /// Most records one GET returns, and the default.
    static let maxLimit = 1000
    static let defaultLimit = 100
    /// The longest long poll a GET may ask for.
    static let maxTimeoutMs = 30_000
    /// The SSE resume header.
    static let lastEventID = HTTPField.Name("Last-Event-ID")!
    /// How long an idle SSE stream waits before sending a keep-alive comment.
    static let keepAlive: Duration = .seconds(15)

    func add(to router: Router<BasicRequestContext>) {
        router.post("topics/{topic}/events") { request, context in try await ingest(request, context) }
        router.get("topics/{topic}/events") { request, context in try await poll(request, context) }
        router.get("topics/{topic}/stream") { request, context in try await stream(request, context) }
    }

    // MARK: Ingress

    private func ingest(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let name = try TopicName(try context.parameters.require("topic"))
        let contentType = request.headers[.contentType]
        let events = try await Self.events(in: request, maxBodyBytes: maxBodyBytes)
        guard !events.isEmpty else {
            throw Problem(status: .badRequest, code: "invalid-cloudevent", detail: "the batch holds no event")
        }
        for (index, event) in events.enumerated() {
            for reserved in ["partition", "offset"] where event.extensions[reserved] != nil {
                throw Problem(
                    status: .badRequest,
                    code: "invalid-cloudevent",
                    detail: "event \(index): the extension name '\(reserved)' is reserved (events read back carry it)"
                )
            }
        }
        let placements = try await broker.publish(events.map { CloudEventKafkaBinding.encodeBinary($0) }, to: name)
        var answer = ByteBuffer()
        let batchMode = CloudEventHTTPBinding.contentMode(contentType: contentType) == .batch
        if batchMode { answer.writeString("[") }
        for (i, placement) in placements.enumerated() {
            if i > 0 { answer.writeString(",") }
            answer.writeString("{\"partition\":\(placement.partition),\"offset\":\(placement.offset)}")
        }
        if batchMode { answer.writeString("]") }
        return Response(status: .accepted, headers: [.contentType: "application/json"], body: .init(byteBuffer: answer))
    }

    // MARK: Egress

    private func log(_ context: BasicRequestContext, partition: Int32) throws -> (TopicName, PartitionLog) {
        let raw = try context.parameters.require("topic")
        let name = try TopicName(raw)
        guard let log = broker.logs.partition(name, PartitionID(partition)) else {
            throw PlexusError(.unknownTopicOrPartition, "\(raw)/\(partition) does not exist")
        }
        return (name, log)
    }

    private func poll(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let partition = try Self.integer(query, "partition", default: 0, in: 0...Int64(Int32.max))
        let (name, log) = try log(context, partition: Int32(partition))
        let start = log.offsets.logStart.rawValue
        let offset = try Self.integer(query, "offset", default: start, in: 0...Int64.max)
        let limit = Int(
            try Self.integer(query, "limit", default: Int64(Self.defaultLimit), in: 1...Int64(Self.maxLimit))
        )
        let timeout = try Self.integer(query, "timeout_ms", default: 0, in: 0...Int64(Self.maxTimeoutMs))
        var records = try read(log, from: Offset(offset), limit: limit)
        if records.isEmpty && timeout > 0 {
            if await broker.waitForData([(log, Offset(offset))], timeout: .milliseconds(timeout)) {
                records = try read(log, from: Offset(offset), limit: limit)
            }
        }
        var body = ByteBuffer()
        body.writeString("[")
        for (i, record) in records.enumerated() {
            if i > 0 { body.writeString(",") }
            Self.writeEvent(record, topic: name, partition: PartitionID(Int32(partition)), to: &body)
        }
        body.writeString("]")
        if !records.isEmpty { Self.countOut(name, bytes: body.readableBytes) }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
    }

    /// Records from `offset` on, at most `limit`.
    private func read(_ log: PartitionLog, from offset: Offset, limit: Int) throws -> [StoredRecord] {
        // Enough batches for `limit` records of a few KiB, not a fixed MiB decoded for a `limit=1` poll.
        let records = try log.readRecords(from: offset, maxBytes: min(1 << 20, max(16 << 10, limit * 4096)))
        return Array(records.lazy.filter { $0.offset >= offset }.prefix(limit))
    }

    /// Writes a stored record as a structured CloudEvent (JSON) with two more members, `partition` and
    /// `offset`, telling where it is stored.
    static func writeEvent(_ stored: StoredRecord, topic: TopicName, partition: PartitionID, to body: inout ByteBuffer)
    {
        var event = CloudEvent(
            presenting: stored.record,
            topic: topic,
            partition: partition,
            offset: stored.offset,
            timestamp: stored.timestamp
        )
        // `partition` and `offset` are ours: an event's own attributes of those names are not shown.
        event.extensions["partition"] = nil
        event.extensions["offset"] = nil
        var json = CloudEventJSONFormat.encode(event)
        // The event format's object starts with "{": the two members go right after it.
        json.moveReaderIndex(forwardBy: 1)
        body.writeString("{\"partition\":\(partition.rawValue),\"offset\":\(stored.offset.rawValue),")
        body.writeBuffer(&json)
    }

    /// `GET /topics/{topic}/stream`: every partition's events as Server-Sent Events (`event: cloudevent`,
    /// `data:` the structured event). Each event's `id` is the stream position — `P:NEXT` per partition,
    /// comma-separated — so `Last-Event-ID` resumes exactly after it; without it the stream starts at
    /// `?from=earliest` or, by default, at the end.
    private func stream(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let name = try TopicName(try context.parameters.require("topic"))
        guard let topic = broker.logs.topic(name) else {
            throw PlexusError(.unknownTopicOrPartition, "topic '\(name)' does not exist")
        }
        var logs: [(PartitionID, PartitionLog)] = []
        for index in 0..<topic.partitionCount {
            if let log = broker.logs.partition(name, PartitionID(index)) { logs.append((PartitionID(index), log)) }
        }
        var positions: [Int32: Int64] = [:]
        let fromEarliest = request.uri.queryParameters["from"].map(String.init) == "earliest"
        for (partition, log) in logs {
            let offsets = log.offsets
            positions[partition.rawValue] = fromEarliest ? offsets.logStart.rawValue : offsets.highWatermark.rawValue
        }
        if let resume = request.headers[Self.lastEventID] {
            guard let parsed = Self.parsePositions(resume) else {
                throw Problem(
                    status: .badRequest,
                    code: "invalid-request",
                    detail: "Last-Event-ID is not a stream position"
                )
            }
            // A position outside the log (deleted by retention, or never reached) starts at the nearest end.
            for (partition, offset) in parsed where positions[partition] != nil {
                let bounds = logs.first { $0.0.rawValue == partition }!.1.offsets
                positions[partition] = min(max(offset, bounds.logStart.rawValue), bounds.highWatermark.rawValue)
            }
        }
        let start = positions
        let streamLogs = logs
        let broker = self.broker
        let body = ResponseBody { writer in
            var positions = start
            try await writer.write(ByteBuffer(string: ": plexus stream of \(name)\n\n"))
            // The stream ends when the client goes (the next write fails), or on graceful shutdown.
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                // A deleted (or re-created) topic ends the stream.
                guard streamLogs.allSatisfy({ broker.logs.partition(name, $0.0) === $0.1 }) else { break }
                var wrote = false
                var moved = false
                for (partition, log) in streamLogs {
                    let from = Offset(positions[partition.rawValue] ?? 0)
                    let read = try Self.follow(log, from: from)
                    for stored in read.records {
                        positions[partition.rawValue] = stored.offset.rawValue + 1
                        var frame = ByteBuffer()
                        frame.writeString("id: \(Self.formatPositions(positions))\nevent: cloudevent\ndata: ")
                        var event = ByteBuffer()
                        Self.writeEvent(stored, topic: name, partition: partition, to: &event)
                        // Inside valid JSON a line break can only be whitespace; one would end the data line.
                        Self.replaceLineBreaks(in: &event)
                        frame.writeBuffer(&event)
                        frame.writeString("\n\n")
                        Self.countOut(name, bytes: frame.readableBytes)
                        try await writer.write(frame)
                        wrote = true
                    }
                    // Batches whose records yield nothing still move the position on.
                    if read.next.rawValue > positions[partition.rawValue] ?? 0 {
                        positions[partition.rawValue] = read.next.rawValue
                        moved = true
                    }
                }
                if !wrote && !moved {
                    let targets = streamLogs.map { ($0.1, Offset(positions[$0.0.rawValue] ?? 0)) }
                    let woke = await cancelWhenGracefulShutdown {
                        await broker.waitForData(targets, timeout: Self.keepAlive)
                    }
                    if Task.isShuttingDownGracefully { break }
                    if !woke { try await writer.write(ByteBuffer(string: ": keep-alive\n\n")) }
                }
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: body
        )
    }

    /// Counts event bytes sent over HTTP (`plexus_bytes_out_total{protocol="http"}`).
    static func countOut(_ topic: TopicName, bytes: Int) {
        Counter(label: "plexus_bytes_out_total", dimensions: [("topic", topic.rawValue), ("protocol", "http")])
            .increment(by: bytes)
    }

    /// One step of following a partition (the SSE and WebSocket streams): the records from `offset` (up to
    /// 256 KiB of batches) and the offset to read from next. A position retention has passed continues at
    /// the log start.
    static func follow(_ log: PartitionLog, from offset: Offset) throws -> (records: [StoredRecord], next: Offset) {
        do {
            return try log.readRecordsAndNext(from: offset, maxBytes: 256 << 10)
        } catch let error as PlexusError where error.code == .offsetOutOfRange {
            return ([], log.offsets.logStart)
        }
    }

    /// Replaces CR and LF bytes by spaces (SSE `data:` lines end at either).
    static func replaceLineBreaks(in buffer: inout ByteBuffer) {
        let start = buffer.readerIndex
        for i in 0..<buffer.readableBytes {
            let byte = buffer.getInteger(at: start + i, as: UInt8.self)!
            if byte == 0x0A || byte == 0x0D { buffer.setInteger(UInt8(0x20), at: start + i) }
        }
    }

    static func formatPositions(_ positions: [Int32: Int64]) -> String {
        positions.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",")
    }

    static func parsePositions(_ text: String) -> [Int32: Int64]? {
        var positions: [Int32: Int64] = [:]
        for part in text.split(separator: ",") {
            let pair = part.split(separator: ":")
            guard pair.count == 2, let partition = Int32(pair[0]), let offset = Int64(pair[1]), partition >= 0,
                offset >= 0
            else { return nil }
            positions[partition] = offset
        }
        return positions.isEmpty ? nil : positions
    }

    /// The validated CloudEvents of a request in any HTTP content mode (binary, structured, batch).
    /// - Throws: 400 `invalid-cloudevent` naming every problem.
    static func events(in request: Request, maxBodyBytes: Int) async throws -> [CloudEvent] {
        var request = request
        let body = try await request.collectBody(upTo: maxBodyBytes)
        let headers = request.headers.map { (name: $0.name.rawName, value: $0.value) }
        do throws(CloudEventError) {
            return try CloudEventHTTPBinding.decode(headers: headers, body: body).map {
                (event) throws(CloudEventError) in try event.validated()
            }
        } catch {
            throw Problem(status: .badRequest, code: "invalid-cloudevent", detail: error.description)
        }
    }

    /// A query parameter as an integer in `range` (`value` when absent); 400 `invalid-request` otherwise.
    static func integer(
        _ query: Parameters,
        _ name: String,
        default value: Int64,
        in range: ClosedRange<Int64>
    ) throws -> Int64 {
        guard let text = query[name[...]] else { return value }
        guard let number = Int64(text), range.contains(number) else {
            throw Problem(
                status: .badRequest,
                code: "invalid-request",
                detail: "query parameter \(name) must be an integer in \(range.lowerBound)...\(range.upperBound)"
            )
        }
        return number
    }
}
