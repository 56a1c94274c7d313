import NIOCore
import NIOEmbedded
import PlexusBroker
import PlexusKafka
import PlexusKafkaWire
import PlexusModel
import PlexusStorage
import PlexusTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The connection handler on a test channel: pipelined requests are answered in order, produce batches
/// land in request order, and bad frames close the connection.
@Suite struct KafkaConnectionHandlerTests {
    static func frame<Request: KafkaRequest>(_ request: Request, version: Int16, correlationId: Int32) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(Int32(0))
        RequestHeader(
            requestApiKey: Request.apiKey.rawValue,
            requestApiVersion: version,
            correlationId: correlationId,
            clientId: "t"
        ).write(to: &buffer, version: Request.requestHeaderVersion(for: version))
        request.write(to: &buffer, version: version)
        buffer.setInteger(Int32(buffer.readableBytes - 4), at: 0)
        return buffer
    }

    static func withChannel(_ body: (NIOAsyncTestingChannel) async throws -> Void) async throws {
        try await withChannel { channel, _ in try await body(channel) }
    }

    static func withChannel(_ body: (NIOAsyncTestingChannel, KafkaRequestProcessor) async throws -> Void) async throws {
        try await KafkaRequestProcessorTests.withProcessor { processor in
            let channel = NIOAsyncTestingChannel()
            try await channel.testingEventLoop.executeInContext {
                try channel.pipeline.syncOperations.addHandlers(
                    ByteToMessageHandler(KafkaFrameDecoder(maxFrameSize: 1 << 20)),
                    KafkaConnectionHandler(processor: processor, connectionID: "test")
                )
            }
            try await body(channel, processor)
            _ = try? await channel.finish()
        }
    }

    /// Reads outbound writes until one whole response frame is assembled; counts the file regions in it.
    /// File regions are read from `regionFile` (the handler has handed the borrowed descriptor back by now).
    static func nextFrame(
        _ channel: NIOAsyncTestingChannel,
        regionFile: String? = nil
    ) async throws -> (frame: ByteBuffer, fileRegions: Int) {
        var frame = ByteBuffer()
        var regions = 0
        while true {
            switch try await channel.waitForOutboundWrite(as: IOData.self) {
            case .byteBuffer(var bytes): frame.writeBuffer(&bytes)
            case .fileRegion(let region):
                regions += 1
                let fd = open(try #require(regionFile), O_RDONLY)
                defer { close(fd) }
                let bytes = [UInt8](unsafeUninitializedCapacity: region.readableBytes) { raw, count in
                    count = max(0, pread(fd, raw.baseAddress, region.readableBytes, off_t(region.readerIndex)))
                }
                #expect(bytes.count == region.readableBytes)
                frame.writeBytes(bytes)
            }
            if let size = frame.getInteger(at: frame.readerIndex, as: Int32.self), frame.readableBytes >= 4 + Int(size)
            {
                #expect(frame.readableBytes == 4 + Int(size))
                return (frame, regions)
            }
        }
    }

    @Test func fetchedRecordsAreSentFromTheSegmentFileAsTheyWereProduced() async throws {
        try await Self.withChannel { channel, processor in
            let batches = (UInt64(10)...12).map { TestBatches.make(seed: $0).bytes }
            for (i, batch) in batches.enumerated() {
                var produce = ProduceRequest(acks: -1, timeoutMs: 1000)
                produce.topicData = [.init(name: "spliced", partitionData: [.init(index: 0, records: batch)])]
                try await channel.writeInbound(Self.frame(produce, version: 9, correlationId: Int32(i)))
                _ = try await Self.nextFrame(channel)
            }
            let log = try #require(processor.broker.logs.partition(TopicName("spliced"), PartitionID(0)))
            let segment = log.directory + "/00000000000000000000.log"
            for version: Int16 in [4, 12] {
                var fetch = FetchRequest(maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20)
                fetch.topics = [
                    .init(
                        topic: "spliced",
                        partitions: [.init(partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20)]
                    )
                ]
                try await channel.writeInbound(Self.frame(fetch, version: version, correlationId: 77))
                var (out, regions) = try await Self.nextFrame(channel, regionFile: segment)
                #expect(regions == 1)
                _ = out.readInteger(as: Int32.self)
                #expect(out.readInteger(as: Int32.self) == 77)
                if version >= 12 { _ = out.readInteger(as: UInt8.self) }  // empty tagged fields of header v1
                let response = try FetchResponse(from: &out, version: version)
                #expect(out.readableBytes == 0)
                let data = response.responses[0].partitions[0]
                #expect(data.highWatermark == 9)
                var expected = ByteBuffer()
                for (i, batch) in batches.enumerated() {
                    var stored = batch
                    stored.setInteger(Int64(i * 3), at: stored.readerIndex)  // the broker assigns offsets
                    stored.setInteger(Int32(0), at: stored.readerIndex + 12)  // and its leader epoch
                    expected.writeBuffer(&stored)
                }
                // The stored bytes are the produced ones with offsets and epoch set; the CRC does not cover them.
                #expect(data.records?.readableBytesView.elementsEqual(expected.readableBytesView) == true)
            }
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrderAndProducesLandInOrder() async throws {
        try await Self.withChannel { channel in
            var all = ByteBuffer()
            for (i, seed) in [UInt64(1), 2, 3].enumerated() {
                var produce = ProduceRequest(acks: -1, timeoutMs: 1000)
                produce.topicData = [
                    .init(
                        name: "ordered",
                        partitionData: [.init(index: 0, records: TestBatches.make(seed: seed).bytes)]
                    )
                ]
                var frame = Self.frame(produce, version: 7, correlationId: Int32(i + 1))
                all.writeBuffer(&frame)
            }
            var versions = Self.frame(ApiVersionsRequest(), version: 0, correlationId: 4)
            all.writeBuffer(&versions)
            try await channel.writeInbound(all)  // four requests in one read
            var baseOffsets: [Int64] = []
            for expected in Int32(1)...4 {
                var (out, _) = try await Self.nextFrame(channel)
                _ = out.readInteger(as: Int32.self)
                #expect(out.readInteger(as: Int32.self) == expected)
                if expected < 4 {
                    let response = try ProduceResponse(from: &out, version: 7)
                    baseOffsets.append(response.responses[0].partitionResponses[0].baseOffset)
                }
            }
            #expect(baseOffsets == [0, 3, 6])
        }
    }

    @Test func anOversizedFrameClosesTheConnection() async throws {
        try await Self.withChannel { channel in
            var huge = ByteBuffer()
            huge.writeInteger(Int32(2 << 20))
            _ = try? await channel.writeInbound(huge)  // the decoder's error is the point
            try await channel.closeFuture.get()
            #expect(!channel.isActive)
        }
    }

    @Test func anUnservedApiClosesTheConnectionWithoutAResponse() async throws {
        try await Self.withChannel { channel in
            try await channel.writeInbound(
                Self.frame(SaslHandshakeRequest(mechanism: "PLAIN"), version: 1, correlationId: 9)
            )
            try await channel.closeFuture.get()
            #expect(!channel.isActive)
        }
    }
}
