import ArgumentParser
import Foundation
import Hummingbird
import NIOCore
import PlexusBroker
import PlexusModel
import Synchronization

/// `plexus bench sink`: the push benchmark's sink (see Benchmarks/routing/run.sh). It answers every
/// `POST /events` with 200 and no body, and counts them. `GET /count` prints `count=N seconds=S`, S being
/// the time from the first counted request to the last; `GET /wait?count=N&timeout_ms=T` answers the same
/// once N requests were counted (or T passed); `POST /reset` starts counting again.
struct RoutingSink: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sink",
        abstract: "A counting HTTP sink for push delivery: 200 with no body to every POST /events."
    )

    @Option(help: "Port to listen on (0 picks one).") var port = 0
    @Option(help: "Host to listen on.") var host = "127.0.0.1"

    func run() async throws {
        let counter = SinkCounter()
        let router = Router()
        router.post("events") { request, _ -> Response in
            var request = request
            _ = try await request.collectBody(upTo: 16 << 20)
            counter.count()
            return Response(status: .ok)
        }
        router.get("count") { _, _ -> String in counter.report() }
        router.get("wait") { request, _ -> String in
            let query = request.uri.queryParameters
            let wanted = query["count"].flatMap { Int($0) } ?? 0
            let timeout = query["timeout_ms"].flatMap { Int($0) } ?? 60_000
            let deadline = ContinuousClock.now + .milliseconds(timeout)
            while counter.counted < wanted, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(1))
            }
            return counter.report()
        }
        router.post("reset") { _, _ -> String in
            counter.reset()
            return counter.report()
        }
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                let line = "sink ready http=\(host):\(channel.localAddress?.port ?? port)\n"
                FileHandle.standardOutput.write(Data(line.utf8))
            }
        )
        try await app.runService()
    }
}

/// Requests counted by ``RoutingSink``, with the times of the first and the last.
final class SinkCounter: Sendable {
    private struct State {
        var count = 0
        var first: ContinuousClock.Instant?
        var last: ContinuousClock.Instant?
    }
    private let state = Mutex(State())

    func count() {
        let now = ContinuousClock.now
        state.withLock { state in
            state.count += 1
            if state.first == nil { state.first = now }
            state.last = now
        }
    }

    var counted: Int { state.withLock { $0.count } }

    func reset() { state.withLock { $0 = State() } }

    /// `count=N seconds=S\n`.
    func report() -> String {
        let (count, seconds) = state.withLock { state -> (Int, Double) in
            guard let first = state.first, let last = state.last else { return (state.count, 0) }
            return (state.count, RoutingBenchClock.seconds(last - first))
        }
        return String(format: "count=%d seconds=%.6f\n", count, seconds)
    }
}

/// `plexus bench filter`: the cost of evaluating subscription filters per event, against the cost of
/// decoding the event from its stored record (which every delivery pays anyway).
struct FilterBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "filter",
        abstract: "Time EventFilter evaluation per event against decoding the event from its Kafka record."
    )

    @Option(help: "Events to build (CloudEvents in the Kafka binary binding, stored in batches of 100).")
    var events = 10_000
    @Option(help: "Bytes of data per event.") var dataBytes = 1024
    @Option(help: "Measured rounds over all events (after one warm-up round); the median is printed.")
    var rounds = 9

    /// A filter to time: a label and the filter, as a subscription's `filters` would hold it.
    struct Case {
        var label: String
        var filter: EventFilter
    }

    func run() async throws {
        guard events > 0, rounds > 0, dataBytes >= 0 else { throw ValidationError("--events and --rounds must be > 0") }
        let records = try Self.makeRecords(count: events, dataBytes: dataBytes)
        let topic = try TopicName("bench")
        let decode = { (index: Int) -> CloudEvent in
            let (record, offset, timestamp) = records[index]
            return CloudEvent(
                presenting: record,
                topic: topic,
                partition: PartitionID(0),
                offset: offset,
                timestamp: timestamp
            )
        }
        let decoded = records.indices.map(decode)
        precondition(decoded.allSatisfy { $0.type != CloudEvent.recordViewType }, "records must decode as CloudEvents")
        print(
            "plexus bench filter — \(events) events (binary-mode Kafka records, \(dataBytes) B data), "
                + "median of \(rounds) rounds after a warm-up; ns per event"
        )

        // The baseline: what a delivery pays before any filter runs.
        let decodeNs = Self.median(rounds: rounds, events: events) {
            var sum = 0
            for index in records.indices { sum &+= decode(index).id.utf8.count }
            return sum
        }
        print(String(format: "\n| what | ns/event | events/s (one core) | passed | vs decode |"))
        print("|---|---|---|---|---|")
        print(
            String(
                format: "| decode: CloudEvent(presenting:) of the stored record (baseline) | %.0f | %.0f | | 1.00× |",
                decodeNs,
                1e9 / decodeNs
            )
        )
        for entry in try Self.cases() {
            let filter = EventFilter.trigger(attributes: nil, filters: [entry.filter])
            let passed = decoded.reduce(0) { $0 + (filter.matches($1) ? 1 : 0) }
            let ns = Self.median(rounds: rounds, events: events) {
                var sum = 0
                for event in decoded where filter.matches(event) { sum &+= 1 }
                return sum
            }
            print(
                String(
                    format: "| %@ | %.0f | %.0f | %.1f %% | %.2f× |",
                    entry.label,
                    ns,
                    1e9 / ns,
                    Double(passed) * 100 / Double(events),
                    ns / decodeNs
                )
            )
        }
    }

    /// The filters timed: Knative's dialects and CESQL, each as one entry of a subscription's `filters`.
    static func cases() throws -> [Case] {
        func cesql(_ text: String) throws -> Case {
            Case(label: "cesql `\(text)`", filter: .cesql(try CESQLExpression(text)))
        }
        return [
            Case(label: "none (no filters)", filter: .all([])),
            Case(label: "exact type", filter: .exact(["type": "com.example.orders.created"])),
            Case(label: "prefix type", filter: .prefix(["type": "com.example.orders."])),
            Case(label: "suffix subject", filter: .suffix(["subject": "7"])),
            Case(
                label: "attributes (legacy): type + region",
                filter: .attributes(["type": "com.example.orders.created", "region": "eu-west"])
            ),
            Case(
                label: "all[prefix type, any[exact region ×2], not exact priority]",
                filter: .all([
                    .prefix(["type": "com.example.orders."]),
                    .any([.exact(["region": "eu-west"]), .exact(["region": "eu-north"])]),
                    .not(.exact(["priority": "low"])),
                ])
            ),
            try cesql("type = 'com.example.orders.created'"),
            try cesql("type LIKE 'com.example.orders.%' AND region = 'eu-west'"),
            try cesql("UPPER(region) = 'EU-WEST' AND LENGTH(subject) > 10"),
            try cesql("EXISTS priority AND priority IN ('high', 'urgent') AND source LIKE '/shops/eu/%'"),
        ]
    }

    /// Realistic events in the Kafka binary binding, stored as batches of 100 and decoded back, so keys,
    /// values and header values are slices of batch bytes as when read from a segment.
    static func makeRecords(count: Int, dataBytes: Int) throws -> [(Record, Offset, Timestamp)] {
        let types = [
            "com.example.orders.created", "com.example.orders.shipped", "com.example.orders.cancelled",
            "com.example.payments.settled", "com.example.payments.refunded", "com.example.inventory.adjusted",
        ]
        let regions = ["eu-west", "eu-north", "us-east", "us-west", "ap-south"]
        let priorities = ["low", "normal", "high", "urgent"]
        let baseMs: Int64 = 1_795_000_000_000
        var data = ByteBuffer(string: "{\"items\":[")
        while data.readableBytes < max(0, dataBytes - 2) { data.writeString("{\"sku\":\"A-1\",\"n\":1},") }
        data.moveWriterIndex(to: max(data.readerIndex + 10, dataBytes - 2))
        data.writeString("]}")
        var out: [(Record, Offset, Timestamp)] = []
        out.reserveCapacity(count)
        var start = 0
        while start < count {
            let end = min(count, start + 100)
            var records: [Record] = []
            for n in start..<end {
                let event = CloudEvent(
                    id: UUID().uuidString,
                    source: n % 2 == 0 ? "/shops/eu/\(n % 50)" : "/shops/us/\(n % 50)",
                    type: types[n % types.count],
                    datacontenttype: "application/json",
                    subject: "order-\(100_000 + n)",
                    time: CloudEventTime(Timestamp(milliseconds: baseMs + Int64(n))),
                    data: data,
                    extensions: [
                        "region": .string(regions[n % regions.count]),
                        "priority": .string(priorities[(n / 3) % priorities.count]),
                        "tenant": .string("tenant-\(n % 7)"),
                    ]
                )
                let message = CloudEventKafkaBinding.encodeBinary(event)
                records.append(
                    Record(
                        offsetDelta: Int32(n - start),
                        key: message.key,
                        value: message.value,
                        headers: message.headers
                    )
                )
            }
            let batch = RecordBatch.build(records: records, baseOffset: Int64(start), baseTimestamp: baseMs)
            for record in try batch.records() {
                out.append(
                    (
                        record,
                        Offset(Int64(start) + Int64(record.offsetDelta)),
                        Timestamp(milliseconds: baseMs + record.timestampDelta)
                    )
                )
            }
            start = end
        }
        return out
    }

    /// Runs `body` (one pass over all events) once to warm up, then `rounds` times; the median ns per event.
    /// The value `body` returns is kept so the work cannot be optimized away.
    static func median(rounds: Int, events: Int, _ body: () -> Int) -> Double {
        var keep = body()
        var samples: [Double] = []
        for _ in 0..<rounds {
            let start = ContinuousClock.now
            keep &+= body()
            samples.append(RoutingBenchClock.seconds(ContinuousClock.now - start) * 1e9 / Double(events))
        }
        if keep == Int.min { print("") }
        samples.sort()
        return samples[samples.count / 2]
    }
}

enum RoutingBenchClock {
    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
