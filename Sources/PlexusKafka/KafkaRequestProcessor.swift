import CoreMetrics
import Dispatch
public import Logging
import NIOConcurrencyHelpers
public import NIOCore
public import PlexusBroker
public import PlexusKafkaWire
import PlexusModel
public import PlexusStorage

/// A response frame ready to write: fetched records are splices of segment files (sent with `sendfile`),
/// everything else is in `bytes`.
public typealias KafkaOutboundFrame = KafkaSplicedFrame<LogSlice>

extension KafkaSplicedFrame where Splice == LogSlice {
    /// A frame with no splices.
    init(_ bytes: ByteBuffer) { self.init(bytes: bytes, splices: []) }

    /// The frame as one buffer, the spliced records read from their files (tests and clients).
    public func materialized() throws -> ByteBuffer { try materialized { try $0.readBytes() } }
}

/// Encodes a response frame once its outcome is known (nil: no response).
public typealias KafkaResponseEncoder = @Sendable () -> KafkaOutboundFrame?

/// A request after ``KafkaRequestProcessor/begin(_:)``: answered already, or waiting (for durability).
public enum KafkaBegunRequest: Sendable {
    /// The response frame (nil: no response, as for acks=0).
    case ready(KafkaOutboundFrame?)
    /// The rest of the work, to run concurrently with later requests.
    case pending(@Sendable () async -> KafkaOutboundFrame?)
    /// Waiting for storage without a task: call it with a callback; the callback runs once, on any thread,
    /// with a closure that encodes the response frame (cheap; run it where the frame is written).
    case waiting(@Sendable (_ done: @escaping @Sendable (_ encode: @escaping KafkaResponseEncoder) -> Void) -> Void)
}

/// Why a connection must be closed instead of answered (Kafka closes on these too).
public struct KafkaConnectionViolation: Error, CustomStringConvertible {
    public var description: String
}

/// Turns one decoded request into its response bytes by calling the broker. Knows no sockets: the
/// connection handler feeds it frames and writes what it returns, in order.
public struct KafkaRequestProcessor: Sendable {
    public let broker: Broker
    public let configuration: KafkaFrontEndConfiguration
    public let logger: Logger

    public init(broker: Broker, configuration: KafkaFrontEndConfiguration, logger: Logger) {
        self.broker = broker
        self.configuration = configuration
        self.logger = logger
    }

    /// Processes a request frame; returns the complete response frame (spliced records read into it), or
    /// nil when the request expects no response (Produce with acks=0).
    /// - Throws: ``KafkaConnectionViolation`` when the connection must be closed (unknown API, unsupported
    ///   version other than ApiVersions, undecodable body).
    public func process(_ frame: KafkaRequestFrame) async throws -> ByteBuffer? {
        let begun: KafkaBegunRequest
        if let now = try beginWithoutSuspending(frame) { begun = now } else { begun = try await begin(frame) }
        let response: KafkaOutboundFrame?
        switch begun {
        case .ready(let ready): response = ready
        case .pending(let rest): response = await rest()
        case .waiting(let start):
            let encode = await withCheckedContinuation { continuation in start { continuation.resume(returning: $0) } }
            response = encode()
        }
        return try response?.materialized()
    }

    /// The hot path: begins a request without suspending when it can — a Produce to existing topics is
    /// validated and enqueued right here and answered through ``KafkaBegunRequest/waiting(_:)`` — or
    /// returns nil and the caller uses ``begin(_:)``.
    /// - Throws: ``KafkaConnectionViolation`` as ``process(_:)`` does.
    public func beginWithoutSuspending(_ frame: KafkaRequestFrame) throws -> KafkaBegunRequest? {
        guard frame.apiKey == .produce, KafkaSupportedApis.supports(.produce, frame.apiVersion),
            case .produce(let request) = try decode(frame)
        else { return nil }
        for topic in request.topicData {
            // Topics that need creating (file IO) go the asynchronous way.
            if let name = try? TopicName(topic.name), broker.logs.topic(name) == nil, broker.autoCreateTopics {
                return nil
            }
            // So do compressed batches: checking their records means decompressing them (up to 64 MiB), work
            // that would hold up every other connection of this event loop.
            for partition in topic.partitionData {
                if let records = partition.records,
                    let attributes = records.getInteger(at: records.readerIndex + 21, as: Int16.self),
                    attributes & 0x07 != 0
                {
                    return nil
                }
            }
        }
        return enqueueProduce(request, header: frame.header)
    }

    /// Does the order-sensitive part of a request — for Produce: validating and enqueueing every batch, so
    /// offsets follow the request order — and returns the rest (waiting for durability, building the
    /// response) to run concurrently with the next requests. A connection calls `begin` one request at a
    /// time and writes the responses in request order. `clientHost` is the connection's peer as Kafka shows it
    /// (`/127.0.0.1`), kept with a group member for DescribeGroups.
    public func begin(_ frame: KafkaRequestFrame, clientHost: String = "") async throws -> KafkaBegunRequest {
        if frame.apiKey == .produce, KafkaSupportedApis.supports(.produce, frame.apiVersion),
            case .produce(let request) = try decode(frame)
        {
            for topic in request.topicData {
                if let name = try? TopicName(topic.name) { _ = try? await broker.topic(name, create: true) }
            }
            return enqueueProduce(request, header: frame.header)
        }
        if frame.apiKey == .fetch, KafkaSupportedApis.supports(.fetch, frame.apiVersion),
            case .fetch(let request) = try decode(frame)
        {
            let header = frame.header
            return .pending { await self.fetch(request, header: header) }
        }
        // Joins and syncs wait for a rebalance: as pending work they are cancelled when their connection
        // closes, so the coordinator forgets the waiter at once.
        if frame.apiKey == .joinGroup || frame.apiKey == .syncGroup,
            KafkaSupportedApis.supports(frame.apiKey, frame.apiVersion)
        {
            let request = try decode(frame)
            let header = frame.header
            let version = frame.apiVersion
            return .pending {
                var out = ByteBuffer()
                switch request {
                case .joinGroup(let join):
                    out.writeKafkaResponseFrame(
                        await self.joinGroup(join, header: header, version: version, clientHost: clientHost),
                        for: header
                    )
                case .syncGroup(let sync):
                    out.writeKafkaResponseFrame(await self.syncGroup(sync, version: version), for: header)
                default:
                    return nil
                }
                return KafkaOutboundFrame(out)
            }
        }
        return .ready(try await respond(frame).map { KafkaOutboundFrame($0) })
    }

    private func decode(_ frame: KafkaRequestFrame) throws -> AnyKafkaRequest {
        do {
            return try frame.decodeRequest()
        } catch {
            throw KafkaConnectionViolation(description: "cannot decode \(frame.apiKey) v\(frame.apiVersion): \(error)")
        }
    }

    private func respond(_ frame: KafkaRequestFrame) async throws -> ByteBuffer? {
        let header = frame.header
        let key = frame.apiKey
        if key == .apiVersions && !KafkaSupportedApis.supports(key, frame.apiVersion) {
            // KIP-511: answer an unknown ApiVersions version in v0 with UNSUPPORTED_VERSION and our list.
            var out = ByteBuffer()
            var v0Header = header
            v0Header.requestApiVersion = 0
            out.writeKafkaResponseFrame(
                ApiVersionsResponse(errorCode: 35, apiKeys: KafkaSupportedApis.apiVersionsList),
                for: v0Header
            )
            return out
        }
        guard KafkaSupportedApis.supports(key, frame.apiVersion) else {
            throw KafkaConnectionViolation(description: "unsupported API \(key) v\(frame.apiVersion)")
        }
        let request = try decode(frame)
        var out = ByteBuffer()
        switch request {
        case .apiVersions:
            out.writeKafkaResponseFrame(
                ApiVersionsResponse(errorCode: 0, apiKeys: KafkaSupportedApis.apiVersionsList),
                for: header
            )
        case .metadata(let metadata):
            out.writeKafkaResponseFrame(await self.metadata(metadata, version: frame.apiVersion), for: header)
        case .listOffsets(let list):
            out.writeKafkaResponseFrame(self.listOffsets(list, version: frame.apiVersion), for: header)
        case .createTopics(let create):
            out.writeKafkaResponseFrame(await self.createTopics(create), for: header)
        case .deleteTopics(let delete):
            out.writeKafkaResponseFrame(await self.deleteTopics(delete), for: header)
        case .createPartitions(let create):
            out.writeKafkaResponseFrame(await self.createPartitions(create), for: header)
        case .describeConfigs(let describe):
            out.writeKafkaResponseFrame(self.describeConfigs(describe, version: frame.apiVersion), for: header)
        case .alterConfigs(let alter):
            out.writeKafkaResponseFrame(await self.alterConfigs(alter), for: header)
        case .incrementalAlterConfigs(let alter):
            out.writeKafkaResponseFrame(await self.incrementalAlterConfigs(alter), for: header)
        case .describeCluster:
            var cluster = DescribeClusterResponse()
            cluster.clusterId = configuration.clusterId
            cluster.controllerId = configuration.nodeId
            cluster.brokers = [
                .init(
                    brokerId: configuration.nodeId,
                    host: configuration.advertisedHost,
                    port: configuration.advertisedPort
                )
            ]
            out.writeKafkaResponseFrame(cluster, for: header)
        case .findCoordinator(let find):
            out.writeKafkaResponseFrame(findCoordinator(find, version: frame.apiVersion), for: header)
        case .joinGroup(let join):
            out.writeKafkaResponseFrame(await joinGroup(join, header: header, version: frame.apiVersion), for: header)
        case .syncGroup(let sync):
            out.writeKafkaResponseFrame(await syncGroup(sync, version: frame.apiVersion), for: header)
        case .heartbeat(let beat):
            out.writeKafkaResponseFrame(heartbeat(beat), for: header)
        case .leaveGroup(let leave):
            out.writeKafkaResponseFrame(leaveGroup(leave, version: frame.apiVersion), for: header)
        case .offsetCommit(let commit):
            out.writeKafkaResponseFrame(await offsetCommit(commit, version: frame.apiVersion), for: header)
        case .offsetFetch(let fetch):
            out.writeKafkaResponseFrame(offsetFetch(fetch, version: frame.apiVersion), for: header)
        case .offsetDelete(let delete):
            out.writeKafkaResponseFrame(await offsetDelete(delete), for: header)
        case .listGroups(let list):
            out.writeKafkaResponseFrame(listGroups(list, version: frame.apiVersion), for: header)
        case .describeGroups(let describe):
            out.writeKafkaResponseFrame(describeGroups(describe), for: header)
        case .deleteGroups(let delete):
            out.writeKafkaResponseFrame(await deleteGroups(delete), for: header)
        case .initProducerId(let initialize):
            out.writeKafkaResponseFrame(await self.initProducerId(initialize), for: header)
        default:
            throw KafkaConnectionViolation(description: "API \(key) is not served")
        }
        return out
    }

    /// Counts a request by API (`plexus_requests_total{protocol="kafka",api=…}`).
    static func countRequest(_ key: KafkaApiKey) {
        let counter = requestCounters.withLockedValue { counters in
            if let counter = counters[key.rawValue] { return counter }
            let counter = Counter(
                label: "plexus_requests_total",
                dimensions: [("protocol", "kafka"), ("api", key.name ?? "\(key.rawValue)")]
            )
            counters[key.rawValue] = counter
            return counter
        }
        counter.increment()
    }

    /// Request counters by API key, made once per key rather than per request.
    private static let requestCounters = NIOLockedValueBox<[Int16: Counter]>([:])

    /// Counts a per-partition error answered to a client (`plexus_request_errors_total`).
    static func countError(api: String, code: Int16) {
        Counter(
            label: "plexus_request_errors_total",
            dimensions: [("protocol", "kafka"), ("api", api), ("error", "\(code)")]
        ).increment()
    }

    static func code(_ error: any Error) -> Int16 {
        (error as? PlexusError)?.code.kafkaErrorCode ?? PlexusError.Code.unknown.kafkaErrorCode
    }

    // MARK: Metadata

    func metadata(_ request: MetadataRequest, version: Int16) async -> MetadataResponse {
        var response = MetadataResponse()
        response.brokers = [
            .init(nodeId: configuration.nodeId, host: configuration.advertisedHost, port: configuration.advertisedPort)
        ]
        response.clusterId = configuration.clusterId
        response.controllerId = configuration.nodeId
        var names: [String]
        if let topics = request.topics, !(version == 0 && topics.isEmpty) {
            names = topics.compactMap(\.name)
        } else {
            names = broker.logs.topics().map(\.name.rawValue)
        }
        let create = version < 4 || request.allowAutoTopicCreation
        for name in names {
            var entry = MetadataResponse.MetadataResponseTopic()
            entry.name = name
            do {
                let topic = try TopicName(name)
                guard let metadata = try await broker.topic(topic, create: create) else {
                    entry.errorCode = PlexusError.Code.unknownTopicOrPartition.kafkaErrorCode
                    response.topics.append(entry)
                    continue
                }
                entry.topicId = KafkaUUID(hex: metadata.id)
                entry.partitions = (0..<metadata.partitionCount).map { p in
                    MetadataResponse.MetadataResponsePartition(
                        errorCode: 0,
                        partitionIndex: p,
                        leaderId: configuration.nodeId,
                        leaderEpoch: 0,
                        replicaNodes: [configuration.nodeId],
                        isrNodes: [configuration.nodeId]
                    )
                }
            } catch {
                entry.errorCode = Self.code(error)
            }
            response.topics.append(entry)
        }
        return response
    }

    // MARK: Produce

    /// Validates and enqueues every batch of the request in order without suspending; the response is built
    /// when the last batch is acknowledged (or failed).
    func enqueueProduce(_ request: ProduceRequest, header: RequestHeader) -> KafkaBegunRequest {
        var response = ProduceResponse()
        var slots: [(topic: Int, partition: Int)] = []
        for (t, topicData) in request.topicData.enumerated() {
            response.responses.append(.init(name: topicData.name))
            for partitionData in topicData.partitionData {
                response.responses[t].partitionResponses.append(.init(index: partitionData.index))
                slots.append((t, response.responses[t].partitionResponses.count - 1))
            }
        }
        let collector = ProduceCollector(response: response, pending: slots.count)
        let started = DispatchTime.now().uptimeNanoseconds
        var slot = 0
        for topicData in request.topicData {
            for partitionData in topicData.partitionData {
                let (t, p) = slots[slot]
                slot += 1
                do {
                    let topic = try TopicName(topicData.name)
                    guard let records = partitionData.records else {
                        throw PlexusError(.corruptMessage, "no records")
                    }
                    try broker.produce(topic: topic, partition: PartitionID(partitionData.index), batch: records) {
                        collector.record(t, p, $0)
                    }
                } catch {
                    collector.record(t, p, .failure(PlexusError.wrapping(error)))
                }
            }
        }
        let acks = request.acks
        return .waiting { done in
            collector.whenDone { response in
                Self.produceLatency.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds &- started))
                for topic in response.responses {
                    for partition in topic.partitionResponses where partition.errorCode != 0 {
                        Self.countError(api: "Produce", code: partition.errorCode)
                    }
                }
                done {
                    guard acks != 0 else { return nil }
                    var out = ByteBuffer()
                    out.writeKafkaResponseFrame(response, for: header)
                    return KafkaOutboundFrame(out)
                }
            }
        }
    }

    /// The longest fetch long poll served (a larger `maxWaitMs` is cut to it).
    static let maxFetchWaitMs = 30_000

    /// Produce requests from arrival to acknowledgement (`plexus_produce_latency_seconds`).
    static let produceLatency = Timer(label: "plexus_produce_latency_seconds", dimensions: [("protocol", "kafka")])
    /// Fetches that returned data, from arrival to answer (`plexus_fetch_latency_seconds`).
    static let fetchLatency = Timer(label: "plexus_fetch_latency_seconds", dimensions: [("protocol", "kafka")])

    // MARK: Fetch

    /// Answers a fetch: what is there now, or — below `minBytes` — after a long poll woken by appends.
    func fetch(_ request: FetchRequest, header: RequestHeader) async -> KafkaOutboundFrame {
        let started = DispatchTime.now().uptimeNanoseconds
        var read = readForFetch(request)
        if read.bytes < max(1, Int(request.minBytes)) && request.maxWaitMs > 0 {
            var targets: [(log: PartitionLog, offset: Offset)] = []
            for topic in request.topics {
                guard let name = try? TopicName(topic.topic) else { continue }
                for partition in topic.partitions {
                    if let log = broker.logs.partition(name, PartitionID(partition.partition)) {
                        targets.append((log, Offset(partition.fetchOffset)))
                    }
                }
            }
            // A long poll is bounded (as Kafka's clients bound theirs), so an abandoned one frees its waiter.
            let wait = min(Int(request.maxWaitMs), Self.maxFetchWaitMs)
            if !targets.isEmpty, await broker.waitForData(targets, timeout: .milliseconds(wait)) {
                read = readForFetch(request)
            }
        }
        if read.bytes > 0 {
            Self.fetchLatency.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds &- started))
            for (t, topic) in read.response.responses.enumerated() {
                let bytes = read.slices[t].reduce(0) { $0 + ($1?.length ?? 0) }
                if bytes > 0 {
                    Counter(
                        label: "plexus_bytes_out_total",
                        dimensions: [("topic", topic.topic), ("protocol", "kafka")]
                    )
                    .increment(by: bytes)
                }
            }
        }
        return read.response.splicedFrame(for: header, splices: read.slices)
    }

    /// One pass over the requested partitions: every requested partition is answered (kafka-python
    /// rejects a full response that omits one), data up to the partition and response limits. Records are
    /// not read: each partition with data gets a slice of a segment file, sent as it is.
    func readForFetch(
        _ request: FetchRequest
    ) -> (response: FetchResponse, slices: [[(length: Int, splice: LogSlice)?]], bytes: Int) {
        var response = FetchResponse()
        var slices: [[(length: Int, splice: LogSlice)?]] = []
        var budget = request.maxBytes > 0 ? Int(request.maxBytes) : Int(Int32.max)
        var total = 0
        for topic in request.topics {
            var topicResponse = FetchResponse.FetchableTopicResponse(topic: topic.topic, topicId: topic.topicId)
            var topicSlices: [(length: Int, splice: LogSlice)?] = []
            for partition in topic.partitions {
                var data = FetchResponse.PartitionData(partitionIndex: partition.partition)
                data.abortedTransactions = nil
                data.preferredReadReplica = -1
                data.records = ByteBuffer()
                var slice: LogSlice?
                do {
                    let name = try TopicName(topic.topic)
                    guard let log = broker.logs.partition(name, PartitionID(partition.partition)) else {
                        throw PlexusError(
                            .unknownTopicOrPartition,
                            "\(topic.topic)/\(partition.partition) does not exist"
                        )
                    }
                    // At least one whole batch comes back even above partitionMaxBytes (KIP-74); once the
                    // response's maxBytes is used up, later partitions get no data this time.
                    let limit = min(Int(partition.partitionMaxBytes), budget)
                    let read = try log.read(from: Offset(partition.fetchOffset), maxBytes: max(1, limit))
                    data.highWatermark = read.highWatermark.rawValue
                    data.lastStableOffset = read.highWatermark.rawValue
                    data.logStartOffset = read.logStartOffset.rawValue
                    if let found = read.slice, budget > 0 {
                        slice = found
                        budget -= found.length
                        total += found.length
                    }
                } catch {
                    data.errorCode = Self.code(error)
                    data.highWatermark = -1
                    data.lastStableOffset = -1
                    data.logStartOffset = -1
                }
                topicResponse.partitions.append(data)
                topicSlices.append(slice.map { ($0.length, $0) })
            }
            response.responses.append(topicResponse)
            slices.append(topicSlices)
        }
        return (response, slices, total)
    }

    // MARK: ListOffsets

    func listOffsets(_ request: ListOffsetsRequest, version: Int16) -> ListOffsetsResponse {
        var response = ListOffsetsResponse()
        for topic in request.topics {
            var topicResponse = ListOffsetsResponse.ListOffsetsTopicResponse(name: topic.name)
            for partition in topic.partitions {
                var result = ListOffsetsResponse.ListOffsetsPartitionResponse(partitionIndex: partition.partitionIndex)
                do {
                    let name = try TopicName(topic.name)
                    guard let log = broker.logs.partition(name, PartitionID(partition.partitionIndex)) else {
                        throw PlexusError(
                            .unknownTopicOrPartition,
                            "\(topic.name)/\(partition.partitionIndex) does not exist"
                        )
                    }
                    let bounds = log.offsets
                    var offset: Int64
                    var timestamp: Int64 = -1
                    switch partition.timestamp {
                    case -1: offset = bounds.highWatermark.rawValue
                    case -2: offset = bounds.logStart.rawValue
                    default:
                        offset = try log.offset(forTimestamp: partition.timestamp)?.rawValue ?? -1
                        if offset >= 0 { timestamp = partition.timestamp }
                    }
                    result.offset = offset
                    result.timestamp = timestamp
                    result.leaderEpoch = 0
                    if version == 0 { result.oldStyleOffsets = offset >= 0 ? [offset] : [] }
                } catch {
                    result.errorCode = Self.code(error)
                    result.offset = -1
                }
                topicResponse.partitions.append(result)
            }
            response.topics.append(topicResponse)
        }
        return response
    }

    // MARK: Topics

    func createTopics(_ request: CreateTopicsRequest) async -> CreateTopicsResponse {
        var response = CreateTopicsResponse()
        for topic in request.topics {
            var result = CreateTopicsResponse.CreatableTopicResult(name: topic.name)
            do {
                let name = try TopicName(topic.name)
                let partitions = topic.numPartitions == -1 ? broker.defaultPartitions : topic.numPartitions
                guard topic.replicationFactor == -1 || topic.replicationFactor == 1 else {
                    throw PlexusError(
                        .init(name: "invalid-replication-factor", kafkaErrorCode: 38, httpStatus: 400),
                        "replication factor \(topic.replicationFactor) is larger than the 1 available broker"
                    )
                }
                guard topic.assignments.isEmpty else {
                    throw PlexusError(.invalidRequest, "manual replica assignments are not supported")
                }
                var configs: [String: String] = [:]
                for config in topic.configs { configs[config.name] = config.value }
                let logs = broker.logs
                if request.validateOnly {
                    guard logs.topic(name) == nil else {
                        throw PlexusError(.topicAlreadyExists, "topic '\(name)' already exists")
                    }
                    guard partitions >= 1 else {
                        throw PlexusError(.invalidPartitions, "partition count \(partitions)")
                    }
                    _ = try logs.defaults.applying(configs)
                } else {
                    let created = try await broker.createTopic(name, partitions: partitions, config: configs)
                    result.topicId = KafkaUUID(hex: created.id)
                }
                result.numPartitions = partitions
                result.replicationFactor = 1
            } catch {
                result.errorCode = Self.code(error)
                result.errorMessage = (error as? PlexusError)?.message
            }
            response.topics.append(result)
        }
        return response
    }

    func deleteTopics(_ request: DeleteTopicsRequest) async -> DeleteTopicsResponse {
        var response = DeleteTopicsResponse()
        let names = request.topicNames + request.topics.compactMap(\.name)
        for nameText in names {
            var result = DeleteTopicsResponse.DeletableTopicResult(name: nameText)
            do {
                let name = try TopicName(nameText)
                try await broker.deleteTopic(name)
            } catch {
                result.errorCode = error.code.kafkaErrorCode
                result.errorMessage = error.message
            }
            response.responses.append(result)
        }
        return response
    }

    // MARK: Partitions and configs

    static let topicResource: Int8 = 2
    static let brokerResource: Int8 = 4

    func createPartitions(_ request: CreatePartitionsRequest) async -> CreatePartitionsResponse {
        var response = CreatePartitionsResponse()
        for topic in request.topics {
            var result = CreatePartitionsResponse.CreatePartitionsTopicResult(name: topic.name)
            do {
                let name = try TopicName(topic.name)
                guard topic.assignments?.isEmpty ?? true else {
                    throw PlexusError(.invalidRequest, "manual replica assignments are not supported")
                }
                let logs = broker.logs
                if request.validateOnly {
                    guard let current = logs.topic(name) else {
                        throw PlexusError(.unknownTopicOrPartition, "topic '\(name)' does not exist")
                    }
                    guard topic.count > current.partitionCount else {
                        throw PlexusError(
                            .invalidPartitions,
                            "topic '\(name)' already has \(current.partitionCount) partitions"
                        )
                    }
                } else {
                    try await broker.addPartitions(name, totalCount: topic.count)
                }
            } catch {
                result.errorCode = Self.code(error)
                result.errorMessage = (error as? PlexusError)?.message
            }
            response.results.append(result)
        }
        return response
    }

    func describeConfigs(_ request: DescribeConfigsRequest, version: Int16) -> DescribeConfigsResponse {
        var response = DescribeConfigsResponse()
        for resource in request.resources {
            var result = DescribeConfigsResponse.DescribeConfigsResult(
                resourceType: resource.resourceType,
                resourceName: resource.resourceName
            )
            do {
                let entries: [String: String]
                var overridden: Set<String> = []
                switch resource.resourceType {
                case Self.topicResource:
                    let name = try TopicName(resource.resourceName)
                    guard let topic = broker.logs.topic(name) else {
                        throw PlexusError(.unknownTopicOrPartition, "topic '\(name)' does not exist")
                    }
                    entries = try broker.logs.defaults.applying(topic.configOverrides).entries
                    overridden = Set(topic.configOverrides.keys)
                case Self.brokerResource:
                    entries = broker.logs.defaults.entries
                default:
                    throw PlexusError(.invalidRequest, "resource type \(resource.resourceType) is not supported")
                }
                // Null asks for every key; so does an empty list (as Kafka's broker treats it).
                let wanted = resource.configurationKeys.flatMap { $0.isEmpty ? nil : Set($0) }
                for (key, value) in entries.sorted(by: { $0.key < $1.key }) where wanted?.contains(key) ?? true {
                    let isOverride = overridden.contains(key)
                    var entry = DescribeConfigsResponse.DescribeConfigsResourceResult(name: key, value: value)
                    entry.isDefault = !isOverride
                    // 1 = DYNAMIC_TOPIC_CONFIG, 5 = DEFAULT_CONFIG (Kafka's ConfigSource ids).
                    entry.configSource = isOverride ? 1 : 5
                    result.configs.append(entry)
                }
            } catch {
                result.errorCode = Self.code(error)
                result.errorMessage = (error as? PlexusError)?.message
            }
            response.results.append(result)
        }
        return response
    }

    /// Applies config changes to one topic resource (nil value removes an override).
    func alter(
        resourceType: Int8,
        resourceName: String,
        validateOnly: Bool,
        changes: (TopicMetadata) throws -> [String: String?]
    ) async -> (Int16, String?) {
        do {
            guard resourceType == Self.topicResource else {
                throw PlexusError(.invalidRequest, "only topic configs can be altered")
            }
            let name = try TopicName(resourceName)
            let logs = broker.logs
            guard let topic = logs.topic(name) else {
                throw PlexusError(.unknownTopicOrPartition, "topic '\(name)' does not exist")
            }
            let delta = try changes(topic)
            var merged = topic.configOverrides
            for (key, value) in delta { merged[key] = value }
            _ = try logs.defaults.applying(merged)
            if !validateOnly { try await broker.alterConfig(name, delta) }
            return (0, nil)
        } catch {
            return (Self.code(error), (error as? PlexusError)?.message)
        }
    }

    func alterConfigs(_ request: AlterConfigsRequest) async -> AlterConfigsResponse {
        var response = AlterConfigsResponse()
        for resource in request.resources {
            // AlterConfigs replaces the whole set: keys not given go back to their defaults.
            let (code, message) = await alter(
                resourceType: resource.resourceType,
                resourceName: resource.resourceName,
                validateOnly: request.validateOnly
            ) { topic in
                var delta: [String: String?] = [:]
                for key in topic.configOverrides.keys { delta[key] = .some(nil) }
                for config in resource.configs { delta[config.name] = .some(config.value) }
                return delta
            }
            response.responses.append(
                .init(
                    errorCode: code,
                    errorMessage: message,
                    resourceType: resource.resourceType,
                    resourceName: resource.resourceName
                )
            )
        }
        return response
    }

    func incrementalAlterConfigs(_ request: IncrementalAlterConfigsRequest) async -> IncrementalAlterConfigsResponse {
        var response = IncrementalAlterConfigsResponse()
        for resource in request.resources {
            let (code, message) = await alter(
                resourceType: resource.resourceType,
                resourceName: resource.resourceName,
                validateOnly: request.validateOnly
            ) { _ in
                var delta: [String: String?] = [:]
                for config in resource.configs {
                    switch config.configOperation {
                    case 0: delta[config.name] = .some(config.value)  // SET
                    case 1: delta[config.name] = .some(nil)  // DELETE
                    default:
                        throw PlexusError(.invalidRequest, "APPEND and SUBTRACT are not supported for \(config.name)")
                    }
                }
                return delta
            }
            response.responses.append(
                .init(
                    errorCode: code,
                    errorMessage: message,
                    resourceType: resource.resourceType,
                    resourceName: resource.resourceName
                )
            )
        }
        return response
    }

    // MARK: Idempotent producers

    func initProducerId(_ request: InitProducerIdRequest) async -> InitProducerIdResponse {
        var response = InitProducerIdResponse()
        guard request.transactionalId == nil else {
            // Transactions are not served yet; a transactional producer gets a clear refusal.
            response.errorCode = 53  // TRANSACTIONAL_ID_AUTHORIZATION_FAILED
            response.producerId = -1
            response.producerEpoch = -1
            return response
        }
        // KIP-360: a producer that already has an id may bump its epoch instead of getting a new id.
        if request.producerId >= 0 && request.producerEpoch >= 0 && request.producerEpoch < Int16.max - 1 {
            response.producerId = request.producerId
            response.producerEpoch = request.producerEpoch + 1
            return response
        }
        do {
            response.producerId = try await broker.allocateProducerID()
            response.producerEpoch = 0
        } catch {
            response.errorCode = Self.code(error)
            response.producerId = -1
            response.producerEpoch = -1
        }
        return response
    }
}

extension KafkaUUID {
    /// Parses 32 hex digits (a stored topic id); zero when malformed.
    init(hex: String) {
        let digits = Array(hex.utf8)
        guard digits.count == 32, let high = UInt64(String(decoding: digits[0..<16], as: UTF8.self), radix: 16),
            let low = UInt64(String(decoding: digits[16..<32], as: UTF8.self), radix: 16)
        else {
            self = .zero
            return
        }
        self.init(mostSignificantBits: high, leastSignificantBits: low)
    }
}

/// Collects the acknowledgements of one produce request's batches, from storage threads.
private final class ProduceCollector: Sendable {
    private struct State {
        var response: ProduceResponse
        var pending: Int
        var done: (@Sendable (ProduceResponse) -> Void)?
    }
    private let state: NIOLockedValueBox<State>

    init(response: ProduceResponse, pending: Int) {
        state = NIOLockedValueBox(State(response: response, pending: pending))
    }

    /// Records one batch's outcome at `responses[t].partitionResponses[p]`.
    func record(_ t: Int, _ p: Int, _ result: Result<AppendResult, PlexusError>) {
        let finished = state.withLockedValue { state -> (ProduceResponse, @Sendable (ProduceResponse) -> Void)? in
            switch result {
            case .success(let appended):
                state.response.responses[t].partitionResponses[p].baseOffset = appended.baseOffset.rawValue
                state.response.responses[t].partitionResponses[p].logAppendTimeMs = appended.logAppendTime.milliseconds
                state.response.responses[t].partitionResponses[p].logStartOffset = appended.logStartOffset.rawValue
            case .failure(let error):
                state.response.responses[t].partitionResponses[p].errorCode = error.code.kafkaErrorCode
                state.response.responses[t].partitionResponses[p].errorMessage = error.message
                state.response.responses[t].partitionResponses[p].baseOffset = -1
            }
            state.pending -= 1
            guard state.pending == 0, let done = state.done else { return nil }
            state.done = nil
            return (state.response, done)
        }
        if let (response, done) = finished { done(response) }
    }

    /// Calls `done` once every batch is recorded (at once if they all are).
    func whenDone(_ done: @escaping @Sendable (ProduceResponse) -> Void) {
        let ready = state.withLockedValue { state -> ProduceResponse? in
            if state.pending == 0 { return state.response }
            state.done = done
            return nil
        }
        if let ready { done(ready) }
    }
}
