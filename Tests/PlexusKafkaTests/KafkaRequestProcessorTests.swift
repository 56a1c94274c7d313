import Logging
import NIOCore
import NIOEmbedded
import PlexusBroker
import PlexusKafka
import PlexusKafkaWire
import PlexusModel
import PlexusStorage
import PlexusTestSupport
import Testing

/// The Kafka front end without sockets: requests in as frames, responses decoded back.
@Suite struct KafkaRequestProcessorTests {
    static let logger: Logger = {
        var logger = Logger(label: "plexus.test")
        logger.logLevel = .critical
        return logger
    }()

    static func withProcessor(_ body: (KafkaRequestProcessor) async throws -> Void) async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let logs = try LogManager(dataDirectory: dir.path, ioThreads: 2, logger: logger)
        defer { logs.close() }
        let configuration = KafkaFrontEndConfiguration(
            advertisedHost: "localhost",
            advertisedPort: 9092,
            clusterId: logs.clusterID
        )
        try await body(KafkaRequestProcessor(broker: Broker(logs: logs), configuration: configuration, logger: logger))
    }

    /// Encodes a request as a client would, runs it, and decodes the response body.
    static func call<Request: KafkaRequest>(
        _ processor: KafkaRequestProcessor,
        _ request: Request,
        version: Int16,
        correlationId: Int32 = 7
    ) async throws -> (correlationId: Int32, response: Request.Response)? {
        let header = RequestHeader(
            requestApiKey: Request.apiKey.rawValue,
            requestApiVersion: version,
            correlationId: correlationId,
            clientId: "test"
        )
        var frame = ByteBuffer()
        header.write(to: &frame, version: Request.requestHeaderVersion(for: version))
        request.write(to: &frame, version: version)
        guard var out = try await processor.process(try KafkaRequestFrame(parsing: frame)) else { return nil }
        let size = out.readInteger(as: Int32.self)
        #expect(size.map(Int.init) == out.readableBytes)
        let responseHeaderVersion: Int16 =
            Request.apiKey == .apiVersions ? 0 : (Request.isFlexible(version: version) ? 1 : 0)
        let responseHeader = try ResponseHeader(from: &out, version: responseHeaderVersion)
        let response = try Request.Response(from: &out, version: version)
        #expect(out.readableBytes == 0)
        return (responseHeader.correlationId, response)
    }

    @Test func apiVersionsListsOurApisAndAnswersUnknownVersionsInV0() async throws {
        try await Self.withProcessor { processor in
            let (correlation, response) = try #require(try await Self.call(processor, ApiVersionsRequest(), version: 3))
            #expect(correlation == 7)
            #expect(response.errorCode == 0)
            #expect(response.apiKeys.contains { $0.apiKey == 0 && $0.minVersion == 0 && $0.maxVersion >= 7 })
            // Version 99 is answered in v0 with UNSUPPORTED_VERSION and the list.
            var frame = ByteBuffer()
            RequestHeader(requestApiKey: 18, requestApiVersion: 99, correlationId: 3, clientId: "x").write(
                to: &frame,
                version: 2
            )
            var out = try #require(try await processor.process(try KafkaRequestFrame(parsing: frame)))
            _ = out.readInteger(as: Int32.self)
            #expect(out.readInteger(as: Int32.self) == 3)
            let v0 = try ApiVersionsResponse(from: &out, version: 0)
            #expect(v0.errorCode == 35)
            #expect(!v0.apiKeys.isEmpty)
        }
    }

    @Test(arguments: [Int16(3), 7, 9])
    func produceThenFetchReturnsTheStoredBatch(version: Int16) async throws {
        try await Self.withProcessor { processor in
            let batch = TestBatches.make(seed: 1, count: 5)
            var produce = ProduceRequest(acks: -1, timeoutMs: 1000)
            produce.topicData = [.init(name: "orders", partitionData: [.init(index: 0, records: batch.bytes)])]
            let (_, produced) = try #require(try await Self.call(processor, produce, version: version))
            let partition = try #require(produced.responses.first?.partitionResponses.first)
            #expect(partition.errorCode == 0)
            #expect(partition.baseOffset == 0)
            var fetch = FetchRequest(maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20)
            fetch.topics = [
                .init(topic: "orders", partitions: [.init(partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20)])
            ]
            let fetchVersion: Int16 = version >= 9 ? 12 : 4
            let (_, fetched) = try #require(try await Self.call(processor, fetch, version: fetchVersion))
            let data = try #require(fetched.responses.first?.partitions.first)
            #expect(data.errorCode == 0)
            #expect(data.highWatermark == 5)
            var expected = batch.bytes
            expected.setInteger(Int32(0), at: 12)  // the broker's leader epoch
            #expect(data.records == expected)
        }
    }

    @Test func produceErrorsArePerPartitionAndAcksZeroHasNoResponse() async throws {
        try await Self.withProcessor { processor in
            var corrupt = TestBatches.make(seed: 1).bytes
            corrupt.setInteger(UInt8(0xFF), at: corrupt.writerIndex - 1)
            var produce = ProduceRequest(acks: 1, timeoutMs: 1000)
            produce.topicData = [
                .init(name: "bad topic!", partitionData: [.init(index: 0, records: TestBatches.make(seed: 1).bytes)]),
                .init(
                    name: "ok",
                    partitionData: [
                        .init(index: 0, records: corrupt), .init(index: 1, records: TestBatches.make(seed: 2).bytes),
                    ]
                ),
            ]
            let (_, response) = try #require(try await Self.call(processor, produce, version: 8))
            #expect(response.responses[0].partitionResponses[0].errorCode == 17)  // INVALID_TOPIC_EXCEPTION
            #expect(response.responses[1].partitionResponses[0].errorCode == 2)  // CORRUPT_MESSAGE
            #expect(response.responses[1].partitionResponses[1].errorCode == 3)  // partition 1 of a 1-partition topic
            produce.acks = 0
            #expect(try await Self.call(processor, produce, version: 8) == nil)
        }
    }

    @Test func compressedBatchesAreCheckedOffTheEventLoopAndABadOneIsCorruptMessage() async throws {
        try await Self.withProcessor { processor in
            func record(_ delta: Int32) -> Record {
                Record(offsetDelta: delta, timestampDelta: 0, key: nil, value: ByteBuffer(string: "v"), headers: [])
            }
            let good = try RecordBatch.build(records: [record(0), record(1)], compression: .lz4, baseTimestamp: 1)
            // Records numbered 1, 0 inside a well-formed lz4 batch (header, length and CRC all valid).
            var bad = try RecordBatch.build(records: [record(1), record(0)], compression: .lz4, baseTimestamp: 1).bytes
            bad.setInteger(RecordBatch.computeCRC(of: bad, at: bad.readerIndex, size: bad.readableBytes), at: 17)
            func frame(_ request: ProduceRequest) throws -> KafkaRequestFrame {
                var frame = ByteBuffer()
                RequestHeader(requestApiKey: 0, requestApiVersion: 8, correlationId: 1, clientId: "t")
                    .write(to: &frame, version: ProduceRequest.requestHeaderVersion(for: 8))
                request.write(to: &frame, version: 8)
                return try KafkaRequestFrame(parsing: frame)
            }
            var plain = ProduceRequest(acks: -1, timeoutMs: 1000)
            plain.topicData = ["z", "z2"].map {
                .init(name: $0, partitionData: [.init(index: 0, records: TestBatches.make(seed: 1).bytes)])
            }
            _ = try await Self.call(processor, plain, version: 8)  // the topics exist from here on
            #expect(try processor.beginWithoutSuspending(try frame(plain)) != nil)
            var produce = ProduceRequest(acks: -1, timeoutMs: 1000)
            produce.topicData = [
                .init(name: "z", partitionData: [.init(index: 0, records: good.bytes)]),
                .init(name: "z2", partitionData: [.init(index: 0, records: bad)]),
            ]
            // Decompressing is not done on the event loop: the hot path hands the request on.
            #expect(try processor.beginWithoutSuspending(try frame(produce)) == nil)
            let (_, response) = try #require(try await Self.call(processor, produce, version: 8))
            #expect(response.responses[0].partitionResponses[0].errorCode == 0)
            #expect(response.responses[1].partitionResponses[0].errorCode == 2)  // CORRUPT_MESSAGE
        }
    }

    @Test func fetchOutOfRangeAndUnknownPartitionsAreAnsweredPerPartition() async throws {
        try await Self.withProcessor { processor in
            var produce = ProduceRequest(acks: -1)
            produce.topicData = [
                .init(name: "t", partitionData: [.init(index: 0, records: TestBatches.make(seed: 1).bytes)])
            ]
            _ = try await Self.call(processor, produce, version: 7)
            var fetch = FetchRequest(maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20)
            fetch.topics = [
                .init(topic: "t", partitions: [.init(partition: 0, fetchOffset: 99, partitionMaxBytes: 1000)]),
                .init(topic: "missing", partitions: [.init(partition: 0, fetchOffset: 0, partitionMaxBytes: 1000)]),
            ]
            let (_, response) = try #require(try await Self.call(processor, fetch, version: 11))
            #expect(response.responses[0].partitions[0].errorCode == 1)
            #expect(response.responses[1].partitions[0].errorCode == 3)
        }
    }

    @Test func listOffsetsAnswersEarliestLatestAndByTime() async throws {
        try await Self.withProcessor { processor in
            var produce = ProduceRequest(acks: -1)
            for seed in 0..<3 {
                produce.topicData = [
                    .init(
                        name: "t",
                        partitionData: [
                            .init(
                                index: 0,
                                records: TestBatches.make(seed: UInt64(seed), timestamp: Int64(seed) * 1000).bytes
                            )
                        ]
                    )
                ]
                _ = try await Self.call(processor, produce, version: 7)
            }
            var list = ListOffsetsRequest(replicaId: -1)
            list.topics = [
                .init(
                    name: "t",
                    partitions: [
                        .init(partitionIndex: 0, timestamp: -1), .init(partitionIndex: 0, timestamp: -2),
                        .init(partitionIndex: 0, timestamp: 1001),
                    ]
                )
            ]
            let (_, response) = try #require(try await Self.call(processor, list, version: 5))
            #expect(response.topics[0].partitions.map(\.offset) == [9, 0, 4])
        }
    }

    @Test func unsupportedApisAndUndecodableBodiesCloseTheConnection() async throws {
        try await Self.withProcessor { processor in
            var frame = ByteBuffer()
            RequestHeader(requestApiKey: 17, requestApiVersion: 1, correlationId: 1, clientId: "x").write(
                to: &frame,
                version: 1
            )
            await #expect(throws: KafkaConnectionViolation.self) {
                try await processor.process(try KafkaRequestFrame(parsing: frame))
            }
            var garbage = ByteBuffer()
            RequestHeader(requestApiKey: 0, requestApiVersion: 7, correlationId: 1, clientId: "x").write(
                to: &garbage,
                version: 1
            )
            garbage.writeBytes([0xFF, 0xFF, 0xFF])
            await #expect(throws: KafkaConnectionViolation.self) {
                try await processor.process(try KafkaRequestFrame(parsing: garbage))
            }
        }
    }
}
